"""A minimal HTTP client on http.client: one connection per request (gunicorn's sync workers
close the connection after each response anyway), cookies kept per session."""

from __future__ import annotations

import http.client
import re
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from time import perf_counter
from urllib.parse import urlencode

CSRF_INPUT = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class Response:
    status: int
    headers: dict
    body: bytes
    seconds: float


@dataclass
class Session:
    port: int
    host: str = "127.0.0.1"
    cookies: dict = field(default_factory=dict)
    timeout: float = 120

    def request(self, method: str, path: str, *, body: bytes | None = None, headers: dict | None = None,
                accept: str = "text/html") -> Response:
        all_headers = {"Accept": accept, "Accept-Encoding": "identity", "User-Agent": "kehu-bench"}
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        all_headers.update(headers or {})
        started = perf_counter()
        conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        try:
            conn.request(method, path, body=body, headers=all_headers)
            response = conn.getresponse()
            data = response.read()
        finally:
            conn.close()
        seconds = perf_counter() - started
        for header in response.headers.get_all("Set-Cookie") or []:
            jar = SimpleCookie()
            jar.load(header)
            for key, morsel in jar.items():
                self.cookies[key] = morsel.value
        return Response(response.status, dict(response.headers), data, seconds)

    def get(self, path: str, *, accept: str = "text/html") -> Response:
        return self.request("GET", path, accept=accept)

    def login(self, username: str, password: str) -> None:
        page = self.get("/accounts/login/")
        match = CSRF_INPUT.search(page.body)
        if page.status != 200 or not match:
            raise RuntimeError(f"login page: HTTP {page.status}, no CSRF token")
        form = urlencode({"csrfmiddlewaretoken": match.group(1).decode(), "username": username,
                          "password": password}).encode()
        response = self.request("POST", "/accounts/login/", body=form, headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"http://{self.host}:{self.port}/accounts/login/",
        })
        if response.status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"login as {username} failed: HTTP {response.status}")

"""A small HTTP client for the scale-out tests: one browser (its cookies: the session and the
CSRF token) that sends each request to the node it is told, as a load balancer would."""

from __future__ import annotations

import http.client
import json
import re
import socket
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode

CSRF_INPUT = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
WAIT = 120  # seconds: a safeguard against a server that never comes up, not a measure


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(check, what: str, seconds: float = WAIT):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"gave up waiting for {what}")


def healthy(port: int) -> bool:
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        conn.request("GET", "/healthz")
        return conn.getresponse().status == 200
    except OSError:
        return False


@dataclass
class Reply:
    status: int
    headers: dict
    body: bytes

    def json(self):
        return json.loads(self.body or b"{}")

    @property
    def text(self) -> str:
        return self.body.decode()


@dataclass
class Browser:
    ports: list[int]
    cookies: dict = field(default_factory=dict)

    def request(self, method: str, path: str, *, node: int | None = None, port: int | None = None,
                body: bytes | None = None, headers: dict | None = None) -> Reply:
        sent = {"Accept": "text/html", "Accept-Language": "en", "Host": "127.0.0.1"}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if method != "GET" and "csrftoken" in self.cookies:
            sent["X-CSRFToken"] = self.cookies["csrftoken"]
        sent.update(headers or {})
        conn = http.client.HTTPConnection("127.0.0.1", port or self.ports[node or 0], timeout=60)
        try:
            conn.request(method, path, body=body, headers=sent)
            response = conn.getresponse()
            data = response.read()
        finally:
            conn.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            jar = SimpleCookie()
            jar.load(header)
            for key, morsel in jar.items():
                self.cookies[key] = morsel.value
        return Reply(response.status, dict(response.headers), data)

    def get(self, path: str, *, node: int = 0, **kw) -> Reply:
        return self.request("GET", path, node=node, **kw)

    def get_json(self, path: str, *, node: int = 0, **kw) -> Reply:
        return self.request("GET", path, node=node, headers={"Accept": "application/json"}, **kw)

    def post_form(self, path: str, data: dict, *, node: int = 0, **kw) -> Reply:
        return self.request("POST", path, node=node, body=urlencode(data).encode(),
                            headers={"Content-Type": "application/x-www-form-urlencoded"}, **kw)

    def send_json(self, method: str, path: str, data: dict, *, node: int = 0, **kw) -> Reply:
        return self.request(method, path, node=node, body=json.dumps(data).encode(),
                            headers={"Content-Type": "application/json", "Accept": "application/json"}, **kw)

    def login(self, username: str, password: str, *, node: int = 0) -> None:
        page = self.get("/accounts/login/", node=node)
        match = CSRF_INPUT.search(page.body)
        assert page.status == 200 and match, page.status
        reply = self.post_form("/accounts/login/", {"csrfmiddlewaretoken": match.group(1).decode(),
                                                    "username": username, "password": password}, node=node)
        assert reply.status == 302 and "sessionid" in self.cookies, (reply.status, reply.body[:300])

"""Hardening that every page and endpoint shares: security headers, JSON errors under the API,
the idle timeout, the login lockout behind a reverse proxy, and the API docs behind a login."""

import time

import pytest
from django.urls import reverse

from conftest import rule
from kehu.core.middleware import LAST_SEEN


def login_attempt(client, username, password, **meta):
    return client.post(reverse("login"), {"username": username, "password": password}, **meta)


@rule("PLT-5")
def test_every_answer_forbids_inline_script_and_unused_browser_features(client, users):
    """A stored script cannot run: the policy allows scripts only from our own files."""
    for response in (client.get(reverse("login")), client.get("/api/v1/customers/")):
        policy = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
        assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
        assert "camera=()" in response.headers["Permissions-Policy"]


@rule("PLT-5")
def test_a_signed_in_page_is_not_kept_by_the_browser(client_for, users):
    page = client_for(users["owner"]).get(reverse("customers:list"))
    assert page.status_code == 200 and "no-store" in page.headers["Cache-Control"]
    export = client_for(users["owner"]).get(reverse("customers:export"))
    assert "no-store" in export.headers["Cache-Control"]


@rule("PLT-2")
@pytest.mark.parametrize(("path", "status"), [
    ("/api/v1/orders/abc/confirm/", 404),         # a path id that is no number: Django's 404, not DRF's
    ("/api/v1/no-such-endpoint/", 404),
])
def test_api_errors_outside_drf_answer_json_too(client_for, users, path, status):
    response = client_for(users["owner"]).post(path) if "confirm" in path else client_for(users["owner"]).get(path)
    assert response.status_code == status
    assert response.headers["Content-Type"] == "application/json"
    assert set(response.json()) == {"detail", "code"} and response.json()["code"] == "not_found"


@rule("PLT-2")
def test_an_oversized_api_body_answers_json_400(client_for, users, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = client_for(users["owner"]).post("/api/v1/customers/", data="x" * 5000,
                                               content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert response.json()["code"] in {"bad_request", "parse_error"}


@rule("PLT-2")
def test_pages_keep_their_error_page(client_for, users):
    response = client_for(users["owner"]).get("/customers/999999/")
    assert response.status_code == 404 and response.headers["Content-Type"].startswith("text/html")


@rule("PLT-2")
def test_the_api_schema_and_docs_need_a_login(client, client_for, users):
    assert client.get("/api/schema/", {"format": "json"}).status_code in (401, 403)
    assert client.get("/api/docs/").status_code in (401, 403)
    signed_in = client_for(users["owner"])
    assert signed_in.get("/api/schema/", {"format": "json"}).status_code == 200
    docs = signed_in.get("/api/docs/")
    assert docs.status_code == 200 and b"<script>" not in docs.content  # the set-up script is a file
    redoc = signed_in.get("/api/redoc/")
    assert redoc.status_code == 200 and b"googleapis" not in redoc.content and b"<script>" not in redoc.content


@rule("PLT-5")
def test_an_idle_session_ends_and_an_active_one_goes_on(client_for, users, settings):
    settings.KEHU_SESSION_IDLE_MINUTES = 60
    client = client_for(users["owner"])
    assert client.get(reverse("customers:list")).status_code == 200
    session = client.session
    session[LAST_SEEN] = int(time.time()) - 59 * 60  # 59 minutes idle: still signed in
    session.save()
    assert client.get(reverse("customers:list")).status_code == 200
    session = client.session
    session[LAST_SEEN] = int(time.time()) - 61 * 60
    session.save()
    response = client.get(reverse("customers:list"))
    assert response.status_code == 302 and reverse("login") in response.url
    assert client.get(reverse("customers:list")).status_code == 302  # and stays signed out


@rule("PLT-5")
def test_behind_a_trusted_proxy_one_person_cannot_lock_another_out(client, users, settings):
    """Five wrong passwords for `gm` from one address lock that address only."""
    settings.KEHU_TRUSTED_PROXIES = frozenset({"10.0.0.1"})
    users["gm"].set_password("right-password")
    users["gm"].save()
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login_attempt(client, "gm", "wrong", HTTP_X_FORWARDED_FOR="6.6.6.6", **proxy)
    locked = login_attempt(client, "gm", "right-password", HTTP_X_FORWARDED_FOR="6.6.6.6", **proxy)
    assert locked.status_code in (403, 429)  # the attacker's address is locked
    assert login_attempt(client, "gm", "right-password", HTTP_X_FORWARDED_FOR="7.7.7.7", **proxy).status_code == 302


@rule("PLT-5")
def test_a_client_cannot_choose_its_address_by_sending_a_header(client, users, settings):
    settings.KEHU_TRUSTED_PROXIES = frozenset({"10.0.0.1"})
    users["gm"].set_password("right-password")
    users["gm"].save()
    for n in range(settings.AXES_FAILURE_LIMIT):  # straight from 6.6.6.6, inventing a new address each time
        login_attempt(client, "gm", "wrong", REMOTE_ADDR="6.6.6.6", HTTP_X_FORWARDED_FOR=f"1.2.3.{n}")
    assert login_attempt(client, "gm", "right-password", REMOTE_ADDR="6.6.6.6").status_code in (403, 429)
    # Through the proxy, a forged left part of the header is not the address either.
    for n in range(settings.AXES_FAILURE_LIMIT):
        login_attempt(client, "gm", "wrong", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=f"9.9.9.{n}, 8.8.8.8")
    assert login_attempt(client, "gm", "right-password", REMOTE_ADDR="10.0.0.1",
                         HTTP_X_FORWARDED_FOR="1.1.1.1, 8.8.8.8").status_code in (403, 429)


@rule("PLT-1")
def test_a_refused_request_is_logged_on_one_line_and_a_server_error_with_its_traceback(client_for, users,
                                                                                          customer):
    """The console handler's filter: a 403 is one line on stderr, not a traceback."""
    import logging

    from django.conf import settings as conf

    from kehu.core.logs import RefusalsOnOneLine

    assert "refusals_on_one_line" in conf.LOGGING["handlers"]["console"]["filters"]
    records, with_traceback = [], []

    class Keep(logging.Handler):
        def emit(self, record):
            with_traceback.append(record.exc_info is not None)  # what Django attaches to a 403
            if RefusalsOnOneLine().filter(record):
                records.append(self.format(record))

    handler = Keep()
    logging.getLogger("django.request").addHandler(handler)
    try:
        # A panel the role may not see: Django logs the refusal with the PermissionDenied attached.
        response = client_for(users["service"]).get(f"/panels/customer/receivables/{customer.pk}/")
    finally:
        logging.getLogger("django.request").removeHandler(handler)
    assert response.status_code == 403
    assert any(with_traceback) and records
    assert all("Traceback" not in line and "\n" not in line for line in records)
    try:
        raise ValueError("boom")
    except ValueError:
        import sys

        error = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "Internal Server Error", (),
                                  sys.exc_info())
    error.status_code = 500
    assert RefusalsOnOneLine().filter(error) and error.exc_info is not None

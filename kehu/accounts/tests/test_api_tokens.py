"""PLT-2: API tokens — kept hashed, expiring, revoked by a new password or by their owner, who
alone lists them (accounts.models.ApiToken, accounts.authentication, accounts.services)."""

import hashlib
import importlib
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from conftest import PASSWORD, rule
from kehu.accounts.models import ApiToken
from kehu.accounts.tests.builders import api_token

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english", "english_client")]

URL = "/api/v1/customers/"
NEW_PASSWORD = "another-pass-2026!x"


def call(client, key):
    client.logout()
    return client.get(URL, headers={"Authorization": f"Token {key}"})


def answer(response) -> tuple:
    """What a client sees of an answer: status, content type, the challenge and the body."""
    body = response.json() if response["Content-Type"] == "application/json" else response.content
    return response.status_code, response["Content-Type"], response.get("WWW-Authenticate"), body


def refusal(detail: str, code: str = "authentication_failed") -> tuple:
    """A 401 in the API's one error shape, asking for a token."""
    return 401, "application/json", "Token", {"detail": detail, "code": code}


def every_stored_value() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_apitoken")
        return " ".join(str(value) for row in cursor.fetchall() for value in row)


@rule("PLT-2")
def test_plt2_a_token_logged_in_for_works_and_the_database_holds_no_usable_plain_key(users, customer, client):
    response = client.post("/api/v1/auth/token/", {"username": "owner", "password": PASSWORD, "name": "ERP"})
    assert response.status_code == 200
    body = response.json()
    key = body["token"]
    assert len(key) == 40 and body["name"] == "ERP"
    assert key not in every_stored_value()
    token = ApiToken.objects.get(user=users["owner"])
    assert token.digest == hashlib.sha256(key.encode()).hexdigest() and token.prefix == key[:6]
    listed = call(client, key)
    assert listed.status_code == 200 and [c["code"] for c in listed.json()["results"]] == [customer.code]
    # What the database holds does not log in: neither the hash nor the prefix.
    assert answer(call(client, token.digest)) == refusal("Unknown API token.")
    assert answer(call(client, token.prefix)) == refusal("Unknown API token.")


@rule("PLT-2")
def test_plt2_a_wrong_password_gets_no_token(users, client):
    response = client.post("/api/v1/auth/token/", {"username": "owner", "password": "wrong"})
    assert response.status_code == 400 and response.json()["code"] == "invalid"
    assert ApiToken.objects.count() == 0


@rule("PLT-2")
def test_plt2_a_token_lasts_the_configured_days_unless_its_owner_chooses_fewer(users, settings):
    settings.KEHU_API_TOKEN_DAYS, settings.KEHU_API_TOKEN_MAX_DAYS = 30, 60
    made = api_token(by=users["owner"])
    assert made.token.expires_at - made.token.created_at == timedelta(days=30)
    assert api_token(by=users["owner"], days=7).token.expires_at - timezone.now() <= timedelta(days=7)
    with pytest.raises(Exception, match="A token is valid for 1 to 60 days."):
        api_token(by=users["owner"], days=61)
    assert ApiToken.objects.count() == 2


@rule("PLT-2")
def test_plt2_an_expired_token_is_answered_401(users, customer, client):
    made = api_token(by=users["owner"], days=1)
    assert call(client, made.key).status_code == 200
    ApiToken.objects.filter(pk=made.token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = call(client, made.key)
    assert response.status_code == 401
    assert response.json()["detail"].startswith("This API token expired on ")


@rule("PLT-2")
def test_plt2_a_password_change_on_the_page_revokes_every_token_of_the_user(users, customer, client_for, client):
    first, second = api_token(by=users["owner"]), api_token(by=users["owner"], name="手机")
    other = api_token(by=users["teammate"])
    page = client_for(users["owner"])
    response = page.post(reverse("password_change"), {"old_password": PASSWORD, "new_password1": NEW_PASSWORD,
                                                      "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    for made in (first, second):
        assert answer(call(client, made.key)) == refusal("This API token was revoked when the password was changed; make a new one.")
    assert call(client, other.key).status_code == 200
    assert set(ApiToken.objects.filter(user=users["owner"]).values_list("revoked_reason", flat=True)) == {"password"}


@rule("PLT-2")
def test_plt2_a_password_set_elsewhere_revokes_the_tokens_too(users, customer, client):
    """The admin and `manage.py changepassword` set the password with set_password() and save."""
    made = api_token(by=users["owner"])
    owner = users["owner"]
    owner.set_password(NEW_PASSWORD)
    owner.save()
    assert answer(call(client, made.key)) == refusal("This API token was revoked when the password was changed; make a new one.")
    # A token made after the change works.
    assert call(client, api_token(by=owner).key).status_code == 200


@rule("PLT-2")
def test_plt2_a_password_rehashed_on_login_keeps_the_tokens(users, customer, client, settings):
    """A stronger hasher re-hashes the same password at the next login: that is no new password."""
    made = api_token(by=users["owner"])
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.ScryptPasswordHasher",
                                 "django.contrib.auth.hashers.MD5PasswordHasher"]
    owner = users["owner"]
    assert owner.check_password(PASSWORD) and owner.password.startswith("scrypt$")
    assert call(client, made.key).status_code == 200


@rule("PLT-2")
def test_plt2_the_token_of_a_disabled_user_is_answered_401(users, customer, client):
    made = api_token(by=users["owner"])
    users["owner"].is_active = False
    users["owner"].save(update_fields=["is_active"])
    assert answer(call(client, made.key)) == refusal("This account is disabled.")


@rule("PLT-2")
def test_plt2_no_login_and_a_malformed_header_are_answered_401(client):
    assert answer(client.get(URL)) == refusal("Authentication credentials were not provided.", "not_authenticated")
    assert answer(client.get(URL, headers={"Authorization": "Token"})) == refusal("Send the header as: Authorization: Token <token>.")
    assert answer(client.get(URL, headers={"Authorization": "Token a b"})) == refusal("Send the header as: Authorization: Token <token>.")


@rule("PLT-2")
def test_plt2_the_last_use_is_recorded(users, customer, client):
    made = api_token(by=users["owner"])
    assert made.token.last_used_at is None
    before = timezone.now()
    call(client, made.key)
    made.token.refresh_from_db()
    assert made.token.last_used_at >= before


# --- the owner's page -------------------------------------------------------------------------------------

@rule("PLT-2")
def test_plt2_the_page_shows_a_new_token_once_and_lists_the_owners_tokens(users, en):
    page = en(users["owner"])
    response = page.post(reverse("api_tokens"), {"name": "ERP 同步", "days": "10"})
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    key = response.context["made"].key
    assert key in response.content.decode()
    token = ApiToken.objects.get(user=users["owner"])
    assert (token.name, token.prefix) == ("ERP 同步", key[:6])
    again = page.get(reverse("api_tokens")).content.decode()
    assert key not in again and "ERP 同步" in again and f"{key[:6]}…" in again


@rule("PLT-2")
def test_plt2_bad_input_on_the_page_makes_no_token(users, en, settings):
    settings.KEHU_API_TOKEN_MAX_DAYS = 365
    response = en(users["owner"]).post(reverse("api_tokens"), {"name": "x" * 101, "days": "366"})
    assert response.status_code == 200 and response.context["made"] is None
    assert set(response.context["form"].errors) == {"name", "days"}
    assert ApiToken.objects.count() == 0


@rule("PLT-2")
def test_plt2_the_owner_revokes_a_token_and_it_is_answered_401(users, customer, en, client):
    made, kept = api_token(by=users["owner"]), api_token(by=users["owner"], name="保留")
    response = en(users["owner"]).post(reverse("api_token_revoke", args=[made.token.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("api_tokens")
    assert answer(call(client, made.key)) == refusal("This API token was revoked; make a new one.")
    assert call(client, kept.key).status_code == 200


@rule("PLT-2")
def test_plt2_another_user_neither_sees_nor_revokes_my_token(users, customer, en, client):
    made = api_token(by=users["owner"], name="张伟的脚本")
    for other in ("teammate", "director", "admin"):
        page = en(users[other])
        assert "张伟的脚本" not in page.get(reverse("api_tokens")).content.decode()
        assert page.post(reverse("api_token_revoke", args=[made.token.pk])).status_code == 404
    made.token.refresh_from_db()
    assert made.token.revoked_at is None
    assert call(client, made.key).status_code == 200


# --- the tokens of DRF's authtoken, converted -------------------------------------------------------------

@rule("PLT-2")
def test_plt2_an_old_plain_token_is_converted_to_its_hash_and_keeps_working(users, customer, client, settings):
    settings.KEHU_API_TOKEN_DAYS = 90
    old_key = "0123456789abcdef0123456789abcdef01234567"
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, created timestamp NOT NULL, "
                       "user_id bigint NOT NULL)")
        cursor.execute("INSERT INTO authtoken_token (key, created, user_id) VALUES (%s, %s, %s)",
                       [old_key, timezone.now() - timedelta(days=400), users["owner"].pk])
    migration = importlib.import_module("kehu.accounts.migrations.0004_convert_authtoken_tokens")
    migration.convert_authtoken_tokens(apps, SimpleNamespace(connection=connection))  # what it uses of the editor
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM authtoken_token")
        assert cursor.fetchone() == (0,)
    token = ApiToken.objects.get()
    assert token.user == users["owner"] and old_key not in every_stored_value()
    assert timedelta(days=89) < token.expires_at - timezone.now() <= timedelta(days=90)
    assert call(client, old_key).status_code == 200

"""PLT-4: a database lock timeout is a clear "busy, try again", never a 500 — on pages and
under the API, whatever write meets it (here a payment, AR-1, while another writer holds the
database)."""

import contextlib
import sqlite3

import pytest
from django.db import connection
from django.urls import reverse

from conftest import rule
from kehu.receivables.models import Payment

pytestmark = pytest.mark.django_db(transaction=True)


@contextlib.contextmanager
def database_held_by_another_writer():
    """Another connection holds the write lock (SQLite) or the payments table (PostgreSQL), and
    ours waits only briefly for it, as a real lock timeout would end after its 20 s."""
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        other = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA busy_timeout = 50")
    else:
        import psycopg

        params = connection.get_connection_params()
        params.pop("cursor_factory", None)
        params.pop("context", None)
        other = psycopg.connect(**params)
        other.execute(f"LOCK TABLE {Payment._meta.db_table} IN ACCESS EXCLUSIVE MODE")
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '200ms'")
    try:
        yield
    finally:
        other.rollback()
        other.close()
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute("PRAGMA busy_timeout = 20000")
            else:
                cursor.execute("SET lock_timeout = 0")


@rule("PLT-4")
def test_a_locked_database_answers_busy_on_the_api_in_json(en, users, customer):
    """AR-1: the payment is not written, the client is told to try again, in JSON."""
    client = en(users["owner"])
    client.get("/api/v1/payments/")  # the session is current before the database is held
    with database_held_by_another_writer():
        response = client.post("/api/v1/payments/", {"customer": customer.pk, "amount": "10", "method": "cash"},
                               content_type="application/json")
    assert response.status_code == 503
    assert response.headers["Content-Type"] == "application/json"
    assert response.json()["code"] == "busy"
    assert "try again" in response.json()["detail"]
    assert response.headers["Retry-After"]
    assert not Payment.objects.exists()


@rule("PLT-4")
def test_a_locked_database_answers_busy_on_a_page_in_chinese(client_for, users, customer):
    client = client_for(users["owner"])
    url = reverse("receivables:payment_create") + f"?customer={customer.pk}"
    client.get(url)
    with database_held_by_another_writer():
        response = client.post(url, {"amount": "10", "method": "cash", "collector": users["owner"].pk,
                                     "office": customer.office_id, "auto": "on"})
    assert response.status_code == 503
    assert response.headers["Content-Type"].startswith("text/html")
    assert "系统正忙" in response.text and "请稍后重试" in response.text
    assert not Payment.objects.exists()

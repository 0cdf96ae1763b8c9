"""One rule for a filter value outside the user's scope, on every list (issue 12, item 6):
the API answers 400 naming the filter; a page or an export says so and shows nothing. A
salesperson or an office the user cannot see is never silently ignored (which widened the list
to everything the user sees), and the offices above the user's own are accepted."""

import io

import openpyxl
import pytest

from conftest import rule
from kehu.receivables.tests.builders import invoiced_order, new_payment

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]

# (list, URL, the filter); every list whose filters name a salesperson or an office.
PAGES = [
    ("customers", "/customers/", "owner"),
    ("customers", "/customers/", "office"),
    ("customers export", "/customers/export.xlsx", "owner"),
    ("customers export", "/customers/export.xlsx", "office"),
    ("orders", "/sales/orders/", "owner"),
    ("orders", "/sales/orders/", "office"),
    ("orders export", "/sales/orders/export.xlsx", "owner"),
    ("invoices", "/receivables/invoices/", "owner"),
    ("invoices", "/receivables/invoices/", "office"),
    ("invoices export", "/receivables/invoices/export.xlsx", "office"),
    ("payments", "/receivables/payments/", "office"),
    ("payments export", "/receivables/payments/export.xlsx", "office"),
]
API = [
    ("/api/v1/customers/", "owner"),
    ("/api/v1/customers/", "office"),
    ("/api/v1/orders/", "owner"),
    ("/api/v1/orders/", "office"),
    ("/api/v1/invoices/", "owner"),
    ("/api/v1/invoices/", "office"),
    ("/api/v1/payments/", "office"),
]


@pytest.fixture
def ledger(users, customer, outsider_customer, product):
    """An invoice and a payment in Shanghai (what the director sees) and in Hangzhou."""
    for who in (customer, outsider_customer):
        invoice = invoiced_order(customer=who, product=product, quantity=3)
        new_payment(customer=who, amount="100", by=users["finance"], allocations=[(invoice, "100")])


def out_of_scope(users, offices, name):
    return users["outsider"].pk if name == "owner" else offices["hangzhou"].pk


def rows_of(response, url) -> int:
    if url.endswith(".xlsx"):
        return openpyxl.load_workbook(io.BytesIO(response.content)).active.max_row - 1
    return response.context["page"].paginator.count


@rule("CUS-5")
@pytest.mark.parametrize(("_list", "url", "name"), PAGES)
def test_a_page_or_export_refuses_an_out_of_scope_filter_with_a_message_and_an_empty_list(
        client_for, english_client, users, offices, ledger, _list, url, name):
    """CUS-5 scopes: the director of Shanghai filtering by Hangzhou's salesperson or office
    gets nothing and is told why, not their own list with the filter ignored."""
    client = client_for(users["director"])
    assert rows_of(client.get(url), url) >= 1  # the director's own list is not empty
    response = client.get(url, {name: out_of_scope(users, offices, name)})
    assert response.status_code == 200
    assert rows_of(response, url) == 0
    page = client.get(url.replace("export.xlsx", "")) if url.endswith(".xlsx") else response
    assert [str(m) for m in page.context["messages"]] == [
        f"Filter “{page.context['filter'].filters[name].label}” refused: "
        "Not one you can choose: it is outside the records you can see, or does not exist. Nothing is shown."]


@rule("CUS-5")
@pytest.mark.parametrize(("url", "name"), API)
def test_the_api_refuses_an_out_of_scope_filter_with_a_clear_400(client_for, english_client, users, offices, ledger, url,
                                                                 name):
    response = client_for(users["director"]).get(url, {name: out_of_scope(users, offices, name)})
    assert response.status_code == 400
    assert response.json()["errors"][name] == [
        "Not one you can choose: it is outside the records you can see, or does not exist."]


@rule("CUS-5")
@pytest.mark.parametrize("url", [url for url, name in API if name == "office"]
                         + [url for _list, url, name in PAGES if name == "office"])
@pytest.mark.parametrize(("who", "office"), [("owner", "shanghai"), ("owner", "hq"), ("director", "east")])
def test_an_office_above_the_users_own_is_accepted_and_narrows_nothing_out(
        client_for, users, offices, ledger, url, who, office):
    """CUS-5: a salesperson filtering by their own office or headquarters (a director by
    their region) sees their own list, on the page, the export and the API alike."""
    client = client_for(users[who])
    alone, filtered = client.get(url), client.get(url, {"office": offices[office].pk})
    assert (alone.status_code, filtered.status_code) == (200, 200)
    if url.startswith("/api/"):
        assert filtered.json()["count"] == alone.json()["count"]
    else:
        assert rows_of(filtered, url) == rows_of(alone, url)
        assert not filtered.context or not list(filtered.context["messages"])

"""PLT-2: every error answer of the API has the one documented JSON shape (detail, code,
errors by field for bad input), and the answers conform to the schema the server serves."""

import pytest

from conftest import rule
from kehu.core.tests.openapi import schema_errors
from kehu.credit import services as credit_services
from kehu.receivables.tests.builders import invoiced_order, new_payment
from kehu.sales.tests.builders import credit_limit, delivered_order, draft_order, goods_return

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english", "english_client")]


@pytest.fixture
def schema(users, client_for):
    return client_for(users["admin"]).get("/api/schema/?format=json").json()


def error_shape(response) -> dict:
    assert response["Content-Type"] == "application/json", response.content
    body = response.json()
    assert isinstance(body["detail"], str) and body["detail"], body
    assert isinstance(body["code"], str) and body["code"], body
    return body


@rule("PLT-2")
def test_plt2_a_validation_error_has_detail_code_and_the_errors_by_field(users, client_for, customer, schema):
    response = client_for(users["owner"]).post("/api/v1/customers/", {"name": "", "category": "nonsense"},
                                               content_type="application/json")
    body = error_shape(response)
    assert (response.status_code, body["code"]) == (400, "invalid")
    assert {"name", "category"} <= set(body["errors"])
    assert body["detail"] in body["errors"]["name"] + body["errors"]["category"]
    assert schema_errors(schema, "/api/v1/customers/", "post", 400, body) == []


@rule("PLT-2")
def test_plt2_nested_validation_errors_are_named_by_their_path(users, client_for, customer, schema):
    response = client_for(users["owner"]).post(
        "/api/v1/orders/", {"customer": customer.pk, "lines": [{"product": "x", "quantity": "1"}]},
        content_type="application/json")
    body = error_shape(response)
    assert response.status_code == 400
    assert any(key.startswith("lines.0.") for key in body["errors"]), body
    assert schema_errors(schema, "/api/v1/orders/", "post", 400, body) == []


@rule("PLT-2")
@pytest.mark.parametrize(("method", "url", "kwargs", "status", "code"), [
    ("get", "/api/v1/customers/999999/", {}, 404, "not_found"),
    ("delete", "/api/v1/customers/{pk}/", {}, 405, "method_not_allowed"),
    ("post", "/api/v1/customers/", {"data": "name=x", "content_type": "text/plain"}, 415, "unsupported_media_type"),
    ("post", "/api/v1/customers/", {"data": "{not json", "content_type": "application/json"}, 400, "parse_error"),
    ("get", "/api/v1/customers/?page=999", {}, 404, "not_found"),
])
def test_plt2_drf_errors_answer_in_the_documented_shape(users, client_for, customer, schema, method, url, kwargs,
                                                        status, code):
    response = getattr(client_for(users["owner"]), method)(url.format(pk=customer.pk), **kwargs)
    body = error_shape(response)
    assert (response.status_code, body["code"]) == (status, code)
    path = "/api/v1/customers/{id}/" if "{pk}" in url or "999999" in url else "/api/v1/customers/"
    assert schema_errors(schema, path, "get" if method == "delete" else method, status, body) == []


@rule("PLT-2")
def test_plt2_a_bad_token_is_answered_401_in_the_documented_shape(client, customer):
    response = client.get("/api/v1/customers/", headers={"Authorization": "Token wrong"})
    body = error_shape(response)
    assert (response.status_code in (401, 403), body["code"]) == (True, "authentication_failed")


@rule("PLT-2")
def test_plt2_every_operation_documents_its_error_answers(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for status in ("400", "401", "403", "404", "405", "415", "429"):
                assert status in operation["responses"], (method, path, status)


@rule("PLT-2")
def test_plt2_fields_that_are_null_are_documented_nullable(users, client_for, customer, product, thresholds, schema):
    """A payment settling an invoice has no credit note, a return before invoicing has none, a
    limit request has no order: the schema allows each null, and the whole answers conform."""
    owner, gm = client_for(users["owner"]), client_for(users["gm"])
    invoice = invoiced_order(customer=customer, product=product, quantity="2")
    payment = new_payment(customer=customer, amount=invoice.amount, by=users["owner"])
    returned = goods_return(order=delivered_order(customer=customer, product=product, quantity="1"))
    asked = owner.post("/api/v1/credit-requests/", {"kind": "limit", "customer": customer.pk, "amount": "5000",
                                                    "reasons": "扩大经营"}, content_type="application/json")
    assert asked.status_code == 201, asked.content
    assert payment.allocations.count() == 1
    for path, pk, null_field in [("/api/v1/allocations/", None, ("results", 0, "credit_note_number")),
                                 ("/api/v1/returns/{id}/", returned.pk, ("credit_note",)),
                                 ("/api/v1/credit-requests/{id}/", asked.json()["id"], ("order_number",))]:
        response = gm.get(path.replace("{id}", str(pk)))
        body = response.json()
        value = body
        assert response.status_code == 200, body
        for key in null_field:
            value = value[key]
        assert (response.status_code, value) == (200, None)
        assert schema_errors(schema, path, "get", 200, body) == []


@rule("PLT-2")
def test_plt2_the_stale_409_of_confirm_conforms_to_the_documented_refusal(users, client_for, customer, product,
                                                                         schema):
    credit_limit(customer, "100000")
    order = draft_order(customer=customer, product=product, quantity="1")
    response = client_for(users["owner"]).post(f"/api/v1/orders/{order.pk}/confirm/", {"version": 7},
                                               content_type="application/json")
    body = error_shape(response)
    assert (response.status_code, body["code"]) == (409, "stale")
    assert schema_errors(schema, "/api/v1/orders/{id}/confirm/", "post", 409, body) == []
    refused = {"detail": "over", "code": credit_services.CreditRefused.OVER_LIMIT, "limit": "1.00",
               "exposure": "0.00", "amount": "2.00", "shortfall": "1.00"}
    assert schema_errors(schema, "/api/v1/orders/{id}/confirm/", "post", 409, refused) == []


@rule("PLT-2")
def test_plt2_the_invoice_imports_answers_conform_to_the_schema(users, client_for, customer, schema):
    """A body that is not a list of rows is refused by field (400; fuzzing found it undocumented);
    bad rows are the job's result, by line (202 with the job, which has ended for a small file)."""
    finance = client_for(users["finance"])
    url = "/api/v1/invoices/import/"
    by_field = finance.post(url, {"rows": "not a list"}, content_type="application/json")
    assert by_field.status_code == 400 and isinstance(error_shape(by_field)["errors"], dict)
    assert schema_errors(schema, url, "post", 400, by_field.json()) == []
    by_line = finance.post(url, {"rows": [{"customer": "KH999999", "number": "X-1", "issued_on": "2026-01-01",
                                           "amount": "100"}]}, content_type="application/json")
    assert by_line.status_code == 202 and schema_errors(schema, url, "post", 202, by_line.json()) == []
    assert by_line.json()["result"]["errors"][0]["line"] == 1

"""REST API for credit (kehu/credit/api.py): requests and the approval chain (CRD-2), the
customer's limit and exposure and the credit check on confirming an order (CRD-3)."""

from decimal import Decimal

import pytest

from conftest import api_list, rule
from kehu.credit import services
from kehu.credit.models import CreditAccount, CreditApproval, CreditRequest
from kehu.receivables.tests.builders import invoiced_order
from kehu.sales.models import Order
from kehu.sales.tests.builders import confirmed_order, credit_limit, draft_order

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english", "english_client")]

REQUESTS = "/api/v1/credit-requests/"


def post(api, url, data):
    return api.post(url, data, content_type="application/json")


def confirm_url(order):
    return f"/api/v1/orders/{order.pk}/confirm/"


def credit_url(customer):
    return f"/api/v1/customers/{customer.pk}/credit/"


def order_state():
    return (sorted(Order.objects.values_list("id", "status", "version", "confirmed_by")), Order.history.count())


def request_state():
    return (sorted(CreditRequest.objects.values_list("id", "status", "used_at")), CreditApproval.objects.count(),
            sorted(CreditAccount.objects.values_list("customer_id", "limit", "grade")))


# --- confirming under the limit (CRD-3) -------------------------------------------------------------------

@rule("CRD-3")
def test_it_confirms_a_draft_within_the_limit(users, client_for, customer, product):
    credit_limit(customer, "100000")
    order = draft_order(customer=customer, product=product, quantity="10")
    response = post(client_for(users["owner"]), confirm_url(order), {"version": 1})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["version"], body["confirmed_by"], body["total"], len(body["lines"])) == (
        "confirmed", 2, users["owner"].pk, "1000.00", 1)


@rule("CRD-3")
def test_crd3_an_over_limit_refusal_answers_409_credit_over_limit_with_the_shortfall(users, client_for, customer,
                                                                             product):
    credit_limit(customer, "1000")
    confirmed_order(customer=customer, product=product, quantity="6", limit=None)  # exposure ¥600
    order = draft_order(customer=customer, product=product, quantity="5")  # ¥500: ¥100 beyond the limit
    before = order_state()
    response = post(client_for(users["owner"]), confirm_url(order), {"version": 1})
    assert response.status_code == 409
    assert response.json() == {
        "detail": "Not confirmed: beyond the credit limit. Credit limit ¥1,000.00, exposure ¥600.00, this order "
                  "¥500.00: ¥100.00 short. Collect payment, ask for a higher limit or for an override.",
        "code": "credit_over_limit", "limit": "1000.00", "exposure": "600.00", "amount": "500.00",
        "shortfall": "100.00"}
    assert order_state() == before


@rule("CRD-3")
def test_crd3_an_overdue_refusal_answers_409_credit_overdue_with_the_days(users, client_for, customer, product):
    credit_limit(customer, "100000")
    # due after 30 days: 70 days overdue
    invoiced_order(customer=customer, product=product, quantity="2", days_ago=100, limit=None)
    order = draft_order(customer=customer, product=product, quantity="1")
    response = post(client_for(users["owner"]), confirm_url(order), {"version": 1})
    assert response.status_code == 409
    assert response.json()["detail"] == (
        "Not confirmed: 70 days overdue (more than 60). Credit limit ¥100,000.00, exposure ¥200.00, this order "
        "¥100.00. Collect the overdue money first or ask for an override.")
    body = response.json()
    assert (body["code"], body["overdue_days"], body["policy_days"], body["exposure"]) == (
        "credit_overdue", 70, 60, "200.00")
    assert "shortfall" not in body  # nothing is short: the refusal is the days, not the limit
    order.refresh_from_db()
    assert order.status == "draft"


@rule("CRD-3")
def test_crd3_a_refusal_both_overdue_and_over_limit_is_the_overdue_one(users, client_for, customer, product):
    credit_limit(customer, "250")
    invoiced_order(customer=customer, product=product, quantity="2", days_ago=100, limit=None)  # ¥200, 70 days
    order = draft_order(customer=customer, product=product, quantity="1")  # ¥100: ¥50 beyond the limit too
    body = post(client_for(users["owner"]), confirm_url(order), {"version": 1}).json()
    assert (body["code"], body["overdue_days"], body["policy_days"], body["limit"], body["exposure"],
            body["amount"]) == ("credit_overdue", 70, 60, "250.00", "200.00", "100.00")


@rule("CRD-3")
def test_crd3_the_schema_documents_each_refusal_code_with_its_fields(users, client_for):
    schema = client_for(users["admin"]).get("/api/schema/?format=json").json()
    parts = schema["components"]["schemas"]
    assert parts["CreditRefusal"]["discriminator"]["mapping"] == {
        "credit_over_limit": "#/components/schemas/CreditOverLimit",
        "credit_overdue": "#/components/schemas/CreditOverdue",
        "discount_over_limit": "#/components/schemas/DiscountRefusal", "stale": "#/components/schemas/StaleEdit"}
    assert {"shortfall"} <= set(parts["CreditOverLimit"]["required"])
    assert {"overdue_days", "policy_days"} <= set(parts["CreditOverdue"]["required"])
    confirm = schema["paths"]["/api/v1/orders/{id}/confirm/"]["post"]["responses"]["409"]
    assert confirm["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/CreditRefusal"}


@rule("CRD-3")
@pytest.mark.parametrize(("body", "status", "code"), [({"version": 7}, 409, "stale"), ({"version": "one"}, 400, None),
                                                      ({}, 400, None)])
def test_it_refuses_a_confirmation_from_a_bad_version(users, client_for, customer, product, body, status, code):
    credit_limit(customer, "100000")
    order = draft_order(customer=customer, product=product, quantity="1")
    before = order_state()
    response = post(client_for(users["owner"]), confirm_url(order), body)
    assert response.status_code == status
    if code:
        assert response.json()["code"] == code
    else:
        assert list(response.json()["errors"]) == ["version"]
    assert order_state() == before


@rule("CRD-3")
def test_it_answers_404_for_an_order_outside_the_scope_or_unknown(users, client_for, customer, product):
    order = draft_order(customer=customer, product=product, quantity="1")
    assert post(client_for(users["outsider"]), confirm_url(order), {"version": 1}).status_code == 404
    assert post(client_for(users["owner"]), "/api/v1/orders/999999/confirm/", {"version": 1}).status_code == 404
    assert post(client_for(users["owner"]), "/api/v1/orders/abc/confirm/", {"version": 1}).status_code == 404
    order.refresh_from_db()
    assert order.status == "draft"


@rule("CRD-3")
def test_it_lets_an_approved_override_pass_exactly_one_confirmation(users, client_for, customer, product,
                                                                    thresholds):
    credit_limit(customer, "1000")
    confirmed_order(customer=customer, product=product, quantity="6", limit=None)
    order = draft_order(customer=customer, product=product, quantity="5")
    other = draft_order(customer=customer, product=product, quantity="3")
    owner = client_for(users["owner"])
    assert post(owner, confirm_url(order), {"version": 1}).status_code == 409
    response = post(owner, REQUESTS, {"kind": "override", "order": order.pk, "reasons": "节前备货，客户承诺月底付清"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert {k: body[k] for k in ("kind", "customer", "order", "order_number", "amount", "exposure_reached",
                                 "requested_limit", "previous_limit", "levels", "next_level", "status", "steps",
                                 "requested_by_name")} == {
        "kind": "override", "customer": customer.pk, "order": order.pk, "order_number": "SO0000002",
        "amount": "1100.00", "exposure_reached": "1100.00", "requested_limit": None, "previous_limit": "1000.00",
        "levels": ["director"], "next_level": "director", "status": "pending", "steps": [],
        "requested_by_name": "张伟"}
    assert post(owner, confirm_url(order), {"version": 1}).status_code == 409  # not approved yet

    director = client_for(users["director"])
    assert [r["id"] for r in director.get(REQUESTS, {"awaiting_me": "true"}).json()["results"]] == [body["id"]]
    decided = post(director, f"{REQUESTS}{body['id']}/decide/", {"approve": True, "comment": "同意，一次性"})
    assert decided.status_code == 200, decided.content
    assert (decided.json()["status"], decided.json()["next_level"], [
        (s["level"], s["decision"], s["decided_by_name"], s["comment"]) for s in decided.json()["steps"]]) == (
        "approved", None, [("director", "approved", "刘洋", "同意，一次性")])

    owner = client_for(users["owner"])
    passed = post(owner, confirm_url(order), {"version": 1})
    assert (passed.status_code, passed.json()["status"]) == (200, "confirmed")
    again = post(owner, confirm_url(order), {"version": 2})
    assert (again.status_code, again.json()["detail"]) == (
        400, "Order SO0000002 is Confirmed: it cannot become Confirmed.")
    assert post(owner, confirm_url(other), {"version": 1}).status_code == 409
    assert CreditRequest.objects.get().used_at is not None
    assert list(Order.objects.order_by("id").values_list("status", flat=True)) == ["confirmed", "confirmed", "draft"]


# --- limit requests and the approval chain (CRD-2) --------------------------------------------------------

@rule("CRD-2")
def test_it_takes_a_limit_request_through_the_chain_to_the_account(users, client_for, customer, thresholds):
    response = post(client_for(users["owner"]), REQUESTS, {"customer": customer.pk, "amount": "150000", "grade": "B",
                                                           "reasons": "旺季备货，回款及时"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert {k: body[k] for k in ("kind", "customer_code", "amount", "requested_limit", "exposure_reached", "grade",
                                 "previous_limit", "levels", "next_level", "status", "reasons")} == {
        "kind": "limit", "customer_code": "KH000001", "amount": "150000.00", "requested_limit": "150000.00",
        "exposure_reached": None, "grade": "B", "previous_limit": "0.00",
        "levels": ["director", "sales_manager"], "next_level": "director", "status": "pending",
        "reasons": "旺季备货，回款及时"}
    url = f"{REQUESTS}{body['id']}/decide/"
    assert client_for(users["manager"]).get(REQUESTS, {"awaiting_me": "true"}).json()["count"] == 0
    assert post(client_for(users["director"]), url, {"approve": True, "comment": "同意"}).json()["next_level"] == (
        "sales_manager")
    manager = client_for(users["manager"])
    assert [r["id"] for r in manager.get(REQUESTS, {"awaiting_me": "true"}).json()["results"]] == [body["id"]]
    response = post(manager, url, {"approve": True})
    assert (response.json()["status"], [s["level"] for s in response.json()["steps"]]) == (
        "approved", ["director", "sales_manager"])
    credit = manager.get(credit_url(customer)).json()
    assert (credit["limit"], credit["grade"], credit["available"]) == ("150000.00", "B", "150000.00")


@rule("CRD-2")
def test_it_refuses_a_wrong_signature_and_changes_nothing(users, client_for, customer, thresholds):
    request = services.credit_limit_request(by=users["owner"], customer=customer, amount="50000", reasons="新客户")
    url = f"{REQUESTS}{request.pk}/decide/"
    before = request_state()
    no_comment = post(client_for(users["director"]), url, {"approve": False, "comment": " "})
    assert (no_comment.status_code, no_comment.json()["detail"]) == (400, "Say why the request is rejected.")
    not_mine = post(client_for(users["manager"]), url, {"approve": True})
    assert (not_mine.status_code, not_mine.json()["detail"]) == (
        403, "This request waits for the signature of the Office director.")
    assert post(client_for(users["other_director"]), url, {"approve": True}).status_code == 404
    assert post(client_for(users["director"]), url, {"approve": "perhaps"}).status_code == 400
    assert post(client_for(users["director"]), url, {"comment": "没说同意与否"}).status_code == 400
    assert request_state() == before
    rejected = post(client_for(users["director"]), url, {"approve": False, "comment": "回款记录不足"})
    assert (rejected.status_code, rejected.json()["status"]) == (200, "rejected")
    again = post(client_for(users["director"]), url, {"approve": True})
    assert (again.status_code, again.json()["detail"]) == (400, "This request was already decided.")
    assert CreditAccount.objects.get(customer=customer).limit == 0


@rule("CRD-2")
def test_crd2_a_director_cannot_approve_the_limit_he_asked_for_over_the_api(users, client_for, customer, thresholds):
    """CRD-2: the director asks for 99,999.99 over the API and tries to approve it: 403 with the
    reason, nothing signed; the request waits for the sales manager, who signs it."""
    director = client_for(users["director"])
    asked = post(director, REQUESTS, {"kind": "limit", "customer": customer.pk, "amount": "99999.99",
                                      "reasons": "扩大经营"})
    assert (asked.status_code, asked.json()["levels"]) == (201, ["sales_manager"])
    url = f"{REQUESTS}{asked.json()['id']}/decide/"
    assert api_list(director, REQUESTS, {"awaiting_me": "true"}) == []
    before = request_state()
    own = post(director, url, {"approve": True, "comment": "同意"})
    assert (own.status_code, own.json()["detail"]) == (
        403, "You asked for this request, so you cannot sign it: it waits for the signature of the Sales manager.")
    assert request_state() == before
    manager = client_for(users["manager"])
    assert api_list(manager, REQUESTS, {"awaiting_me": "true"}) == [asked.json()["id"]]
    assert post(manager, url, {"approve": True, "comment": "同意"}).json()["status"] == "approved"
    assert CreditAccount.objects.get(customer=customer).limit == Decimal("99999.99")


@rule("CRD-2")
@pytest.mark.parametrize(("body", "status", "field"), [
    ({"amount": "十万", "reasons": "x"}, 400, "amount"),
    ({"amount": "1e400", "reasons": "x"}, 400, "amount"),
    ({"amount": "-5", "reasons": "x"}, 400, "amount"),
    ({"amount": "5000", "grade": "Z", "reasons": "x"}, 400, "grade"),
    ({"amount": "5000", "reasons": ""}, 400, "reasons"),
    ({"amount": "5000"}, 400, "reasons"),
    ({"reasons": "x"}, 400, "amount"),
    ({"kind": "limit", "amount": "5000", "reasons": "x", "customer": None}, 400, "customer"),
    ({"kind": "gift", "amount": "5000", "reasons": "x"}, 400, "kind"),
    ({"kind": "override", "reasons": "x"}, 400, "order"),
    ({"kind": "override", "reasons": "x", "order": 999999}, 404, None),
])
def test_it_answers_bad_request_input_and_creates_nothing(users, client_for, customer, thresholds, body, status,
                                                          field):
    response = post(client_for(users["owner"]), REQUESTS, {"customer": customer.pk, **body})
    assert response.status_code == status, response.content
    if field:
        answer = response.json()
        assert field in answer or field in answer.get("errors", {}), answer
    assert CreditRequest.objects.count() == 0


@rule("CRD-3")
def test_it_refuses_an_override_of_a_confirmed_order_or_one_outside_the_scope(users, client_for, customer,
                                                                            outsider_customer, product, thresholds):
    credit_limit(customer, "100000")
    order = confirmed_order(customer=customer, product=product, quantity="1", limit=None)
    response = post(client_for(users["owner"]), REQUESTS, {"kind": "override", "order": order.pk, "reasons": "x"})
    assert (response.status_code, response.json()["detail"]) == (
        400, "An override is asked for an order before it is confirmed.")
    theirs = draft_order(customer=outsider_customer, product=product, quantity="1")
    assert post(client_for(users["owner"]), REQUESTS,
                {"kind": "override", "order": theirs.pk, "reasons": "x"}).status_code == 404
    assert post(client_for(users["owner"]), REQUESTS,
                {"customer": outsider_customer.pk, "amount": "1000", "reasons": "x"}).status_code == 404
    assert CreditRequest.objects.count() == 0


@rule("CRD-2")
def test_it_lists_requests_in_scope_with_filters_in_a_fixed_number_of_queries(
        users, client_for, customer, outsider_customer, product, thresholds, django_assert_max_num_queries):
    mine = services.credit_limit_request(by=users["owner"], customer=customer, amount="150000", reasons="扩大经营")
    services.credit_request_decide(by=users["director"], request=mine, approve=True, comment="同意")
    theirs = services.credit_limit_request(by=users["outsider"], customer=outsider_customer, amount="20000",
                                           reasons="新客户")
    override = services.credit_override_request(
        by=users["owner"], order=draft_order(customer=customer, product=product, quantity="1"), reasons="急单")
    gm = client_for(users["gm"])

    def ids(params=None, api=gm):
        return api_list(api, REQUESTS, params)

    assert ids() == [override.pk, theirs.pk, mine.pk]  # newest first
    assert ids({"kind": "override"}) == [override.pk]
    assert ids({"status": "pending", "customer": outsider_customer.pk}) == [theirs.pk]
    assert ids({"awaiting_me": "true"}) == []  # nothing waits for the GM
    assert ids({"awaiting_me": "false"}) == [override.pk, theirs.pk, mine.pk]
    for bad in ({"awaiting_me": "maybe"}, {"status": "lost"}, {"kind": "gift"}, {"customer": "x"}):
        assert gm.get(REQUESTS, bad).status_code == 400
    assert gm.get(f"{REQUESTS}{mine.pk}/").json()["steps"][0]["decided_by"] == users["director"].pk
    director = client_for(users["director"])
    assert ids({"awaiting_me": "true"}, api=director) == [override.pk]
    assert ids(api=director) == [override.pk, mine.pk]
    director.get(REQUESTS)
    with django_assert_max_num_queries(8):  # session, user, office subtree (2), count, rows, steps
        assert len(director.get(REQUESTS).json()["results"]) == 2


# --- the customer's limit and exposure (CRD-3) -----------------------------------------------------------------

@rule("CRD-3")
def test_it_shows_the_customers_limit_and_exposure(users, client_for, customer, outsider_customer, product):
    CreditAccount.objects.create(customer=customer, limit=Decimal("200000"), grade="B")
    confirmed_order(customer=customer, product=product, quantity="10", limit=None)  # open order ¥1,000
    # ¥500 due 30 days after: 10 days late
    invoiced_order(customer=customer, product=product, quantity="5", days_ago=40, limit=None)
    draft_order(customer=customer, product=product, quantity="99")  # a draft does not count
    response = client_for(users["director"]).get(credit_url(customer))
    assert response.status_code == 200
    assert response.json() == {"customer": customer.pk, "limit": "200000.00", "grade": "B", "approved_at": None,
                               "receivables": "500.00", "open_orders": "1000.00", "exposure": "1500.00",
                               "available": "198500.00", "overdue_days": 10}
    assert client_for(users["outsider"]).get(credit_url(customer)).status_code == 404
    assert client_for(users["gm"]).get("/api/v1/customers/999999/credit/").status_code == 404
    assert client_for(users["gm"]).get(credit_url(outsider_customer)).json() == {
        "customer": outsider_customer.pk, "limit": "0.00", "grade": "", "approved_at": None, "receivables": "0.00",
        "open_orders": "0.00", "exposure": "0.00", "available": "0.00", "overdue_days": 0}

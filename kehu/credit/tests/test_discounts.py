"""ORD-1 with CRD-2: a maximum discount below the list price per role, and a floor price per
product. A line beyond them is allowed in a draft, but the order is confirmed only once a level
above the requester — never the requester — has approved the discount through the credit
approval chain; pages and API refuse the confirmation naming the line and what is allowed."""

from decimal import Decimal

import pytest
from django.urls import reverse

from conftest import rule
from kehu.core.errors import PermissionDeniedError, ValidationFailed
from kehu.core.tests.openapi import schema_errors
from kehu.credit import services
from kehu.credit.models import CreditRequest
from kehu.credit.tests.builders import discount_allowances, discount_request, floor_price
from kehu.sales.models import Order
from kehu.sales.tests.builders import credit_limit, draft_order

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english", "english_client")]

Kind, Status = CreditRequest.Kind, CreditRequest.Status


@pytest.fixture
def allowances(customer):
    credit_limit(customer)  # the credit check passes: these tests are about prices
    discount_allowances(salesperson="10", director="20", sales_manager="30")


def discounted(customer, product, pct, *, by=None, price=None) -> Order:
    return draft_order(customer=customer, by=by, lines=[(product, "2", price or product.list_price, pct)])


def confirm(order, by):
    order.refresh_from_db()
    return services.order_confirm(by=by, order=order, version=order.version)


def status_of(order) -> str:
    return Order.objects.values_list("status", flat=True).get(pk=order.pk)


# --- the rule -------------------------------------------------------------------------------------------------

@rule("ORD-1")
def test_ord1_a_line_beyond_the_roles_maximum_discount_is_a_draft_but_is_not_confirmed(users, customer, product,
                                                                                       allowances):
    order = discounted(customer, product, "15")
    assert order.status == Order.Status.DRAFT and order.total == Decimal("170.00")
    with pytest.raises(services.DiscountRefused) as refused:
        confirm(order, users["owner"])
    assert refused.value.message == (
        "Not confirmed: the price needs a discount approval. line 1 (P001 洗衣粉 5kg): 15.00% below the list price "
        "¥100.00, more than the 10.00% your role may give. Ask for discount approval.")
    assert status_of(order) == "draft"
    assert [(e.line.number, e.line.below_list_pct, e.allowed_pct) for e in refused.value.excesses] == [
        (1, Decimal("15.00"), Decimal("10"))]


@rule("ORD-1")
def test_ord1_a_line_within_the_maximum_discount_is_confirmed(users, customer, product, allowances):
    order = discounted(customer, product, "10")
    assert confirm(order, users["owner"]).status == Order.Status.CONFIRMED


@rule("ORD-1")
def test_ord1_the_discount_counts_from_the_list_price_whatever_the_lines_unit_price(users, customer, product,
                                                                                    allowances):
    order = discounted(customer, product, "5", price="90.00")  # ¥85.50: 14.5% below ¥100
    with pytest.raises(services.DiscountRefused, match=r"14\.50% below the list price"):
        confirm(order, users["owner"])


@rule("ORD-1")
def test_ord1_a_role_without_a_maximum_is_not_limited(users, customer, product):
    credit_limit(customer)
    discount_allowances(salesperson="10")
    order = discounted(customer, product, "40", by=users["director"])
    assert confirm(order, users["director"]).status == Order.Status.CONFIRMED


@rule("ORD-1")
def test_ord1_a_manager_confirms_on_their_own_authority_what_their_maximum_covers(users, customer, product,
                                                                                 allowances):
    order = discounted(customer, product, "15")
    assert confirm(order, users["director"]).status == Order.Status.CONFIRMED


@rule("ORD-1")
def test_ord1_a_price_below_the_floor_price_needs_approval_whatever_the_role(users, customer, product, allowances):
    floor_price(product, "90.00")
    order = discounted(customer, product, "0", price="85.00", by=users["director"])
    with pytest.raises(services.DiscountRefused) as refused:
        confirm(order, users["director"])
    assert "line 1 (P001 洗衣粉 5kg): net price ¥85.00, below the floor price ¥90.00" in refused.value.message
    both = discounted(customer, product, "15", price="100.00")
    with pytest.raises(services.DiscountRefused, match="more than the 10.00% your role may give, and net price "
                                                       "¥85.00, below the floor price ¥90.00"):
        confirm(both, users["owner"])


@rule("ORD-1")
def test_ord1_each_line_beyond_is_named(users, customer, product, allowances):
    from kehu.sales.tests.builders import ProductFactory

    soap = ProductFactory(code="P002", name="香皂", list_price=Decimal("10.00"))
    order = draft_order(customer=customer, lines=[(product, "1", "100.00", "5"), (soap, "3", "10.00", "12"),
                                                  (product, "1", "100.00", "25")])
    with pytest.raises(services.DiscountRefused) as refused:
        confirm(order, users["owner"])
    assert [e.line.number for e in refused.value.excesses] == [2, 3]
    assert "line 2 (P002 香皂): 12.00%" in refused.value.message and "line 3 (P001 洗衣粉 5kg): 25.00%" in \
        refused.value.message


# --- the approval (CRD-2's chain) -----------------------------------------------------------------------------

@rule("ORD-1")
def test_ord1_the_approval_waits_for_the_first_level_above_whose_maximum_covers_it(users, customer, product,
                                                                                  allowances):
    assert discount_request(order=discounted(customer, product, "15")).levels == ["director"]
    assert discount_request(order=discounted(customer, product, "25")).levels == ["sales_manager"]
    assert discount_request(order=discounted(customer, product, "35")).levels == ["marketing_vp"]
    floor_price(product, "95.00")
    below_floor = discount_request(order=discounted(customer, product, "8"))
    assert (below_floor.levels, below_floor.discount_pct, below_floor.amount) == (["director"], Decimal("8.00"),
                                                                                  Decimal("184.00"))


@rule("CRD-2")
def test_crd2_the_requester_never_signs_their_own_discount_approval(users, customer, product, allowances):
    floor_price(product, "95.00")
    order = discounted(customer, product, "8", by=users["director"])
    request = discount_request(order=order, by=users["director"])
    assert request.levels == ["sales_manager"]
    with pytest.raises(PermissionDeniedError, match="You asked for this request, so you cannot sign it"):
        services.credit_request_decide(by=users["director"], request=request, approve=True, comment="同意")
    assert services.request_actions(user=users["director"], request=request)["decide"] is False
    with pytest.raises(services.DiscountRefused, match="Its discount approval waits for the signature of the "
                                                       "Sales manager."):
        confirm(order, users["director"])


@rule("ORD-1")
def test_ord1_an_approved_discount_lets_the_order_be_confirmed_once(users, customer, product, allowances):
    order = discounted(customer, product, "15")
    request = discount_request(order=order, signers=[users["director"]])
    assert (request.status, request.next_level) == (Status.APPROVED, None)
    assert confirm(order, users["owner"]).status == Order.Status.CONFIRMED
    request.refresh_from_db()
    assert request.used_at is not None


@rule("ORD-1")
def test_ord1_an_approval_does_not_cover_a_deeper_discount_made_after_it(users, customer, product, allowances):
    from kehu.sales import services as sales

    order = discounted(customer, product, "15")
    discount_request(order=order, signers=[users["director"]])
    order.refresh_from_db()
    sales.order_replace_lines(by=users["owner"], order=order, version=order.version,
                              lines=[{"product": product, "quantity": "2", "unit_price": "100.00",
                                      "discount_pct": "18"}])
    with pytest.raises(services.DiscountRefused, match=r"The discount approved \(15.00% below the list price\) "
                                                       "does not cover it"):
        confirm(order, users["owner"])
    assert CreditRequest.objects.get(kind=Kind.DISCOUNT).used_at is None


@rule("ORD-1")
def test_ord1_a_discount_approval_is_refused_when_nothing_needs_it_or_one_is_open(users, customer, product,
                                                                                 allowances):
    within = discounted(customer, product, "10")
    with pytest.raises(ValidationFailed, match="is within what you may give"):
        discount_request(order=within)
    order = discounted(customer, product, "15")
    discount_request(order=order)
    with pytest.raises(ValidationFailed, match="already asked for or approved"):
        discount_request(order=order)
    with pytest.raises(ValidationFailed, match="Give the reasons"):
        services.credit_discount_request(by=users["owner"], order=discounted(customer, product, "15"), reasons=" ")
    assert CreditRequest.objects.filter(kind=Kind.DISCOUNT).count() == 1


@rule("ORD-1")
def test_ord1_a_rejected_discount_leaves_the_order_refused(users, customer, product, allowances):
    order = discounted(customer, product, "15")
    request = discount_request(order=order)
    services.credit_request_decide(by=users["director"], request=request, approve=False, comment="价格太低")
    with pytest.raises(services.DiscountRefused, match="Ask for discount approval."):
        confirm(order, users["owner"])


@rule("ORD-1")
def test_ord1_a_discount_approval_and_a_credit_override_are_separate(users, customer, product, allowances):
    credit_limit(customer, "100")
    order = discounted(customer, product, "15")  # ¥170: beyond the ¥100 limit as well
    discount_request(order=order, signers=[users["director"]])
    with pytest.raises(services.CreditRefused):
        confirm(order, users["owner"])
    assert CreditRequest.objects.get(kind=Kind.DISCOUNT).used_at is None  # the refusal undid its use
    services.credit_override_request(by=users["owner"], order=order, reasons="春节备货")
    override = CreditRequest.objects.get(kind=Kind.OVERRIDE)
    services.credit_request_decide(by=users["director"], request=override, approve=True, comment="同意")
    assert confirm(order, users["owner"]).status == Order.Status.CONFIRMED
    assert CreditRequest.objects.filter(used_at__isnull=False).count() == 2


# --- the order page -------------------------------------------------------------------------------------------

@rule("ORD-1")
def test_ord1_the_order_page_shows_the_refusal_and_asks_for_discount_approval(users, customer, product, allowances,
                                                                             en):
    order = discounted(customer, product, "15")
    page = en(users["owner"])
    detail = page.get(order.get_absolute_url()).content.decode()
    assert "These prices need a discount approval" in detail and "Ask for discount approval" in detail
    response = page.post(reverse("credit:order_confirm", args=[order.pk]), {"version": order.version}, follow=True)
    shown = response.content.decode()
    assert 'id="discount-refused"' in shown
    assert "line 1 (P001 洗衣粉 5kg): 15.00% below the list price ¥100.00, more than the 10.00% your role may " \
           "give" in shown
    assert status_of(order) == "draft"
    response = page.post(reverse("credit:order_discount", args=[order.pk]), {"reasons": "年度大单"}, follow=True)
    assert "A discount approval of order" in response.content.decode()
    request = CreditRequest.objects.get(kind=Kind.DISCOUNT)
    assert (request.order_id, request.next_level, request.reasons) == (order.pk, "director", "年度大单")
    assert 'id="discount-requests"' in response.content.decode() and 'id="request-discount"' not in \
        response.content.decode()


@rule("ORD-1")
def test_ord1_the_director_finds_it_in_the_queue_and_approves_it(users, customer, product, allowances, en):
    order = discounted(customer, product, "15")
    request = discount_request(order=order)
    page = en(users["director"])
    assert [row["request"].pk for row in page.get(reverse("credit:queue")).context["rows"]] == [request.pk]
    detail = page.get(reverse("credit:request_detail", args=[request.pk])).content.decode()
    assert "15.00%" in detail and order.number in detail
    response = page.post(reverse("credit:request_decide", args=[request.pk]),
                         {"decision": "approve", "comment": "同意"}, follow=True)
    assert f"Approved: order {order.number} of {customer.name} may be confirmed once at its prices." in \
        response.content.decode()


@rule("ORD-1")
def test_ord1_bad_input_asks_for_nothing(users, customer, product, allowances, en):
    order = discounted(customer, product, "15")
    response = en(users["owner"]).post(reverse("credit:order_discount", args=[order.pk]), {"reasons": ""},
                                       follow=True)
    assert "Give the reasons for the discount; nothing was asked for." in response.content.decode()
    assert not CreditRequest.objects.exists()


# --- the API ---------------------------------------------------------------------------------------------------

@rule("ORD-1")
def test_ord1_the_api_refuses_the_confirmation_with_the_lines_as_the_schema_says(users, customer, product,
                                                                               allowances, client_for):
    order = discounted(customer, product, "15")
    api = client_for(users["owner"])
    schema = api.get("/api/schema/?format=json").json()
    response = api.post(f"/api/v1/orders/{order.pk}/confirm/", {"version": order.version},
                        content_type="application/json")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "discount_over_limit" and body["detail"].startswith("Not confirmed: the price needs")
    assert body["lines"] == [{"line": 1, "product": "P001 洗衣粉 5kg", "list_price": "100.00", "net_price": "85.00",
                              "discount_pct": "15.00", "allowed_pct": "10.00", "floor_price": None,
                              "below_floor": False}]
    assert schema_errors(schema, "/api/v1/orders/{id}/confirm/", "post", 409, body) == []
    created = api.post("/api/v1/credit-requests/", {"kind": "discount", "order": order.pk, "reasons": "年度大单"},
                       content_type="application/json")
    assert created.status_code == 201, created.content
    assert (created.json()["kind"], created.json()["discount_pct"], created.json()["levels"]) == (
        "discount", "15.00", ["director"])
    decided = client_for(users["director"]).post(f"/api/v1/credit-requests/{created.json()['id']}/decide/",
                                                 {"approve": True, "comment": "同意"},
                                                 content_type="application/json")
    assert decided.json()["status"] == "approved"
    response = client_for(users["owner"]).post(f"/api/v1/orders/{order.pk}/confirm/", {"version": order.version},
                                               content_type="application/json")
    assert (response.status_code, response.json()["status"]) == (200, "confirmed")

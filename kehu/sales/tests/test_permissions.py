"""The permission matrix of the sales pages: every role against every page, for orders and
returns of a customer in the Shanghai office (owned by `owner`) and of one in Hangzhou.
Outside the scope → 404 (existence is not revealed); in scope, a role that may not do the
step → 403; anonymous users are sent to the login page."""

from decimal import Decimal

import pytest
from django.urls import reverse

from conftest import rule
from kehu.credit import services as credit
from kehu.credit.models import CreditAccount
from kehu.sales import services
from kehu.sales.models import Order

pytestmark = pytest.mark.django_db

ROLES = ["owner", "teammate", "outsider", "director", "other_director", "manager", "vp", "gm", "service",
         "finance", "admin"]
SEES_SHANGHAI = {"owner", "director", "manager", "vp", "gm", "service", "finance", "admin"}
SEES_HANGZHOU = {"outsider", "other_director", "manager", "vp", "gm", "service", "finance", "admin"}
# After-sales service reads orders; finance also invoices and closes them; the rest take orders.
HANDLES = set(ROLES) - {"service"}
TAKES = HANDLES - {"finance"}


def expected(role, sees, allowed, ok=200):
    if role not in sees:
        return 404
    return ok if role in allowed else 403


def orders_of(customer, product):
    """For one customer: drafts to confirm, override and cancel, and a delivered order with a return."""
    user = customer.owner
    CreditAccount.objects.create(customer=customer, limit=Decimal("1000000"))

    def draft():
        return services.order_create(by=user, customer=customer, lines=[{"product": product, "quantity": 2}])

    delivered = credit.order_confirm(by=user, order=draft(), version=1)
    delivered = services.order_advance(by=user, order=delivered, version=delivered.version, to="delivered")
    ret = services.return_record(by=user, order=delivered, version=delivered.version, kind="returned",
                                 reason="defect", responsible="厂家",
                                 lines=[{"order_line": delivered.lines.get().pk, "quantity": 1}])
    delivered.refresh_from_db()
    return {"confirm": draft(), "override": draft(), "cancel": draft(), "delivered": delivered, "return": ret}


@rule("ORD-1")
@pytest.mark.parametrize("role", ROLES)
def test_it_applies_the_scope_and_role_to_every_order_and_return_page(role, client_for, users, customer,
                                                                      outsider_customer, product):
    client = client_for(users[role])
    for target, sees in ((customer, SEES_SHANGHAI), (outsider_customer, SEES_HANGZHOU)):
        made = orders_of(target, product)
        delivered, ret = made["delivered"], made["return"]

        def get(name, pk):
            return client.get(reverse(name if ":" in name else f"sales:{name}", args=[pk])).status_code

        def post(name, pk, data):
            return client.post(reverse(name if ":" in name else f"sales:{name}", args=[pk]), data).status_code

        checks = {
            "order_detail": (get("order_detail", delivered.pk), expected(role, sees, ROLES)),
            "order_edit": (get("order_edit", made["confirm"].pk), expected(role, sees, TAKES)),
            "return_create": (get("receivables:return_create", delivered.pk), expected(role, sees, TAKES)),
            "return_detail": (get("return_detail", ret.pk), expected(role, sees, ROLES)),
            "order_confirm": (post("credit:order_confirm", made["confirm"].pk, {"version": 1}),
                              expected(role, sees, TAKES, 302)),
            "order_override": (post("credit:order_override", made["override"].pk, {"reasons": "春节备货"}),
                               expected(role, sees, TAKES, 302)),
            "cancel": (post("order_advance", made["cancel"].pk, {"to": "cancelled", "version": 1, "reason": "改单"}),
                       expected(role, sees, TAKES, 302)),
            "invoice": (post("receivables:order_invoice", delivered.pk, {"version": delivered.version}),
                        expected(role, sees, HANDLES, 302)),
            "return_follow_up": (post("return_follow_up", ret.pk, {"follow_up": "已处理", "done": "on"}),
                                 expected(role, sees, TAKES, 302)),
        }
        wrong = {name: got for name, (got, want) in checks.items() if got != want}
        assert not wrong, (role, target.name, wrong)
        # Refused requests changed nothing; allowed ones did what they said.
        made["confirm"].refresh_from_db()
        assert made["confirm"].status == ("confirmed" if checks["order_confirm"][1] == 302 else "draft")
        delivered.refresh_from_db()
        assert delivered.status == ("invoiced" if checks["invoice"][1] == 302 else "delivered")


@rule("ORD-1")
@pytest.mark.parametrize("role", ROLES)
def test_it_applies_the_role_to_every_list_page(role, client_for, users, customer, product):
    client = client_for(users[role])
    for name in ("order_list", "order_export", "return_list", "returns_analysis", "product_list", "product_export"):
        assert client.get(reverse(f"sales:{name}")).status_code == 200, (role, name)
    assert client.get(reverse("sales:order_create")).status_code == (200 if role in TAKES else 403)
    assert client.get(reverse("sales:order_create"), {"customer": customer.pk}).status_code == (
        403 if role not in TAKES else 200 if role in SEES_SHANGHAI else 404)
    assert client.get(reverse("sales:product_import")).status_code == (200 if role == "admin" else 403)
    created = client.post(reverse("sales:order_create"), {"customer": customer.pk, "lines-0-product": product.pk,
                                                          "lines-0-quantity": "1"})
    # Someone else's customer is simply not among the choices of the form.
    assert created.status_code == (403 if role not in TAKES else 302 if role in SEES_SHANGHAI else 200), role
    assert Order.objects.count() == (1 if role in TAKES and role in SEES_SHANGHAI else 0)


@rule("ORD-1")
def test_it_refuses_anonymous_access_to_every_sales_page(client, users, customer, product):
    made = orders_of(customer, product)
    pages = [reverse(f"sales:{name}") for name in ("order_list", "order_export", "order_create", "return_list",
                                                   "returns_analysis", "product_list", "product_export",
                                                   "product_import")]
    pages += [reverse(name, args=[made["delivered"].pk]) for name in ("sales:order_detail", "sales:order_edit",
                                                                       "receivables:return_create")]
    pages.append(reverse("sales:return_detail", args=[made["return"].pk]))
    for url in pages:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), url
    for name, pk in (("credit:order_confirm", made["confirm"].pk), ("credit:order_override", made["override"].pk),
                     ("sales:order_advance", made["cancel"].pk), ("sales:return_follow_up", made["return"].pk)):
        response = client.post(reverse(name, args=[pk]), {"version": 1, "to": "cancelled", "reason": "x"})
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), name
    made["confirm"].refresh_from_db()
    made["cancel"].refresh_from_db()
    assert (made["confirm"].status, made["cancel"].status) == ("draft", "draft")


@rule("ORD-1")
def test_it_answers_404_for_ids_that_do_not_exist(client_for, users):
    client = client_for(users["gm"])
    for name in ("sales:order_detail", "sales:order_edit", "receivables:return_create", "sales:return_detail"):
        assert client.get(reverse(name, args=[999999])).status_code == 404, name

"""Registration points (core.registry): what upper apps show on lower pages, each within its
query budget, only to those who may see it."""

import re

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kehu.core.registry import ListColumn, NavEntry, Panel, Registry, TimelineSource, registry
from kehu.core.templatetags.kehu import panels
from kehu.credit import services as credit_services
from kehu.credit.models import CreditAccount
from kehu.receivables import services as receivables_services
from kehu.sales import services as sales_services

pytestmark = pytest.mark.django_db
ROLES = ["owner", "director", "gm", "service", "finance"]


def request_for(user):
    request = RequestFactory().get("/")
    request.user = user
    request.session = {}
    return request


@pytest.fixture
def invoiced_order(users, customer, product):
    CreditAccount.objects.create(customer=customer, limit="100000")
    order = sales_services.order_create(by=users["owner"], customer=customer,
                                        lines=[{"product": product, "quantity": "2"}])
    order = credit_services.order_confirm(by=users["owner"], order=order, version=order.version)
    order = sales_services.order_advance(by=users["owner"], order=order, version=order.version, to="delivered")
    return receivables_services.order_invoice(by=users["finance"], order=order, version=order.version)


@pytest.mark.parametrize("role", ROLES)
def test_it_renders_every_panel_within_its_query_budget(role, users, customer, invoiced_order):
    request = request_for(users[role])
    for page, record in (("customer", customer), ("order", invoiced_order)):
        for panel in registry.of(Panel, page=page):
            with CaptureQueriesContext(connection) as captured:
                if panel.lazy:
                    context = panel.context(request, record) if panel.visible(request.user) else None
                else:
                    context = panel.context(request, record)
            assert len(captured) <= panel.budget(), (role, page, panel.key, len(captured))
            if panel.key == "receivables":
                assert (context is None) is (role == "service"), role


@pytest.mark.parametrize("role", ROLES)
def test_it_fills_every_list_column_for_a_whole_page_within_its_query_budget(role, users, customer, invoiced_order):
    """A column registered on a list costs the same for fifty rows as for one (no query per row)."""
    from kehu.customers.tests.builders import new_customers

    ids = [customer.pk] + [c.pk for c in new_customers(by=users["owner"], count=5)]
    for column in registry.of(ListColumn):
        with CaptureQueriesContext(connection) as captured:
            cells = column.values(users[role], ids) if column.visible(users[role]) else {}
        assert len(captured) <= column.query_budget, (role, column.key, len(captured))
        if column.key == "balance" and role != "service":
            assert customer.pk in cells


def test_it_shows_the_money_blocks_only_to_those_who_see_receivables(users, customer, invoiced_order, client_for):
    page = client_for(users["service"]).get(reverse("customers:detail", args=[customer.pk]))
    assert 'id="receivables-loading"' not in page.text and 'id="nav-receivables"' not in page.text
    assert client_for(users["service"]).get(reverse("panel", args=["customer", "receivables", customer.pk])
                                            ).status_code == 403
    page = client_for(users["owner"]).get(reverse("customers:detail", args=[customer.pk]))
    url = reverse("panel", args=["customer", "receivables", customer.pk])
    assert f'hx-get="{url}"' in page.text and 'id="nav-receivables"' in page.text
    assert 'id="customer-receivables"' in client_for(users["owner"]).get(url).text
    # Outside the scope the panel is not found; an unknown page or panel neither.
    assert client_for(users["outsider"]).get(url).status_code == 404
    assert client_for(users["owner"]).get(reverse("panel", args=["customer", "nothing", customer.pk])
                                          ).status_code == 404
    assert client_for(users["owner"]).get(reverse("panel", args=["nowhere", "receivables", customer.pk])
                                          ).status_code == 404


@pytest.mark.parametrize("role", ["owner", "service"])
def test_it_gathers_one_timeline_of_the_customer_from_every_app_within_budgets(role, users, customer,
                                                                               invoiced_order, client_for):
    receivables_services.payment_post(by=users["owner"], customer=customer, amount="50", method="cash")
    for source in registry.of(TimelineSource):
        with CaptureQueriesContext(connection) as captured:
            source.entries(users[role], customer, 30)
        assert len(captured) <= source.query_budget, (source.key, len(captured))
    page = client_for(users[role]).get(reverse("panel", args=["customer", "timeline", customer.pk]))
    kinds = re.findall(r'data-kind="(\w+)"', page.text)
    # Newest first: the invoice step came last; the payment only for those who see money.
    assert kinds[0] == ("payment" if role == "owner" else "order_invoiced")
    assert {"order_draft", "order_confirmed", "order_delivered", "order_invoiced"} <= set(kinds)
    assert ("payment" in kinds) is (role == "owner")


def test_it_offers_the_upper_apps_order_steps_on_the_order_page(users, invoiced_order, client_for):
    page = client_for(users["owner"]).get(reverse("sales:order_detail", args=[invoiced_order.pk]))
    assert reverse("receivables:return_create", args=[invoiced_order.pk]) in page.text
    assert 'id="order-receivable"' in page.text and 'id="confirm-order"' not in page.text
    page = client_for(users["service"]).get(reverse("sales:order_detail", args=[invoiced_order.pk]))
    assert 'id="record-return"' not in page.text and 'id="order-receivable"' not in page.text


def test_it_gathers_the_collection_work_of_the_day_for_the_daily_plan(users, customer, invoiced_order):
    today = timezone.localdate()
    receivables_services.attempt_log(by=users["owner"], customer=customer, channel="call", outcome="promised",
                                     promised_on=today, promised_amount="100")
    plan = dict((source.key, items) for source, items in registry.due_for(users["owner"], today))
    assert [item.kind for item in plan["collection"]] == ["promise"]
    assert plan["collection"][0].customer_id == customer.pk
    assert dict((s.key, items) for s, items in registry.due_for(users["service"], today))["collection"] == []


def test_it_refuses_two_apps_claiming_one_slot():
    own = Registry()
    own.add(NavEntry(key="x", label="X", url_name="home"))
    own.add(NavEntry(key="x", label="X", url_name="home"))  # the same again: tests reload apps
    with pytest.raises(ValueError, match="registered twice"):
        own.add(NavEntry(key="x", label="Y", url_name="home"))


def test_it_renders_no_panel_of_another_page(users, customer):
    rendered = panels({"request": request_for(users["owner"])}, "order", customer, tab="business")
    assert rendered == []


def test_it_lists_the_registered_reports_a_user_may_open_on_the_home_page(users, client_for):
    owner = client_for(users["owner"]).get(reverse("home")).text
    assert re.findall(r'data-report="([\w-]+)"', owner) == ["ageing", "collection-rate", "returns-analysis",
                                                            "complaint-analysis", "win-back"]
    service = client_for(users["service"]).get(reverse("home")).text
    # No money for service staff; complaints in their scope, but no salesperson's promise-keeping rate.
    assert re.findall(r'data-report="([\w-]+)"', service) == ["returns-analysis", "complaint-analysis"]

"""The demo data generator: the right numbers, scopes that show what each demo login should
see, derived columns as the services compute them, orders, returns and credit that obey the
rules of the services, and no second run over existing data."""

from collections import Counter, defaultdict
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, F
from django.utils import timezone, translation

from kehu.accounts.models import Office, User
from kehu.core.models import Sequence
from kehu.core.roles import Role
from kehu.credit.models import (
    ApprovalThreshold,
    CreditAccount,
    CreditApproval,
    CreditCard,
    CreditPolicy,
    CreditRequest,
)
from kehu.credit.selectors import approval_queue_for, exposure_of
from kehu.customers.models import Customer, KeyPerson
from kehu.customers.selectors import customers_visible_to
from kehu.customers.services import format_code, refresh_derived
from kehu.demo.generate import DEMO_PASSWORD, generate, plan_for
from kehu.sales import services as sales
from kehu.sales.models import CreditNote, Order, OrderLine, Product, Return, ReturnLine

CUSTOMERS = 300


@pytest.fixture
def demo(db):
    return generate(customers=CUSTOMERS, seed=7)


@pytest.mark.rule("PLT-1")
def test_it_creates_the_requested_numbers(demo):
    plan = plan_for(CUSTOMERS)
    assert Customer.objects.count() == demo["customers"] == CUSTOMERS
    assert User.objects.filter(role=Role.SALESPERSON).count() == demo["salespeople"] == plan.salespeople
    assert User.objects.filter(role=Role.DIRECTOR).count() == plan.offices
    assert Office.objects.filter(kind=Office.Kind.OFFICE).count() == plan.offices
    assert KeyPerson.objects.count() == demo["key_people"]
    for username in ("gm", "vp", "admin", "service", "finance", "manager1", "director1", "sales1"):
        assert User.objects.get(username=username).check_password(DEMO_PASSWORD)
    admin = User.objects.get(username="admin")
    assert admin.is_staff and admin.is_superuser


@pytest.mark.rule("PLT-1")
def test_it_sizes_the_sales_force_at_one_salesperson_per_200_customers():
    assert plan_for(2_000).salespeople == 10
    assert plan_for(100_000).salespeople == 500
    assert plan_for(100_000).offices == 25


@pytest.mark.rule("CUS-2")
def test_it_gives_every_customer_at_least_two_key_people(demo):
    counts = Customer.objects.annotate(n=Count("key_people"))
    assert min(c.n for c in counts) >= 2
    assert KeyPerson.objects.count() >= 2.5 * CUSTOMERS


@pytest.mark.rule("CUS-5")
def test_it_files_every_customer_under_its_owners_office(demo):
    mismatched = [c.code for c in Customer.objects.select_related("owner") if c.office_id != c.owner.office_id]
    assert mismatched == []
    assert not Customer.objects.exclude(developed_by=F("owner")).exclude(filled_by=F("owner")).exists()


@pytest.mark.rule("PLT-1")
def test_it_puts_sales1_under_director1_under_manager1(demo):
    sales1, director1, manager1 = (User.objects.get(username=u) for u in ("sales1", "director1", "manager1"))
    assert sales1.office.parent_id == director1.office_id
    assert director1.office.parent_id == manager1.office_id


@pytest.mark.rule("PLT-1")
@pytest.mark.rule("CUS-5")
def test_it_shows_each_salesperson_only_their_own_customers(demo):
    for salesperson in User.objects.filter(role=Role.SALESPERSON):
        visible = customers_visible_to(salesperson)
        assert visible.count() == Customer.objects.filter(owner=salesperson).count()
        assert not visible.exclude(owner=salesperson).exists()


@pytest.mark.rule("PLT-1")
def test_it_shows_the_director_their_office_subtree_and_the_gm_everything(demo):
    director = User.objects.get(username="director1")
    office_ids = set(Office.objects.filter(path__startswith=director.office.path).values_list("pk", flat=True))
    expected = Customer.objects.filter(office_id__in=office_ids)
    assert set(customers_visible_to(director).values_list("pk", flat=True)) == set(expected.values_list("pk", flat=True))
    assert 0 < expected.count() < CUSTOMERS
    assert customers_visible_to(User.objects.get(username="gm")).count() == CUSTOMERS


@pytest.mark.rule("CUS-4")
def test_it_stores_the_derived_columns_refresh_derived_computes(demo):
    sample = Customer.objects.order_by("id")[::15]
    for customer in sample:
        stored = (customer.completeness, customer.search_text, customer.name_key, customer.phone_key, customer.tax_key)
        refresh_derived(customer)  # from the saved card and its current key people
        assert stored == (customer.completeness, customer.search_text, customer.name_key, customer.phone_key,
                          customer.tax_key), customer.code
    assert len(set(Customer.objects.values_list("completeness", flat=True))) > 5  # completeness varies


@pytest.mark.rule("CUS-1")
def test_it_writes_valid_cards(demo):
    """Every sampled card and key person passes the same validation as the forms."""
    checked = 0
    for customer in Customer.objects.order_by("id")[::10]:
        customer.full_clean(validate_unique=False)  # raises ValidationError on a bad card
        checked += 1
    for person in KeyPerson.objects.order_by("id")[::30]:
        person.full_clean(exclude=["customer"])
        checked += 1
    assert checked > 30


@pytest.mark.rule("CUS-8")
def test_it_makes_names_unique_and_codes_sequential(demo):
    codes = list(Customer.objects.order_by("code").values_list("code", flat=True))
    assert codes == [format_code(n) for n in range(1, CUSTOMERS + 1)]
    assert Customer.objects.values("name_key").distinct().count() == CUSTOMERS


@pytest.mark.rule("PLT-1")
def test_it_refuses_to_run_twice_without_reset(db):
    call_command("demo_data", customers=20, verbosity=0)
    with pytest.raises(CommandError):
        call_command("demo_data", customers=20, verbosity=0)
    assert Customer.objects.count() == 20


@pytest.mark.rule("PLT-1")
def test_it_starts_over_with_reset(db):
    call_command("demo_data", customers=20, verbosity=0)
    call_command("demo_data", customers=30, reset=True, verbosity=0)
    assert Customer.objects.count() == 30
    assert Customer.objects.order_by("code").first().code == format_code(1)
    assert User.objects.filter(username="sales1").count() == 1


@pytest.mark.rule("ORD-1")
def test_it_reports_the_trade_it_generated(db):
    import io

    from kehu.credit.models import CreditAccount, CreditRequest
    from kehu.sales.models import Order, Product, Return

    out = io.StringIO()
    with translation.override("en"):
        call_command("demo_data", customers=60, seed=11, stdout=out)
    pending = CreditRequest.objects.filter(status="pending").count()
    assert (f"Trade: {Product.objects.count()} products, {Order.objects.count()} orders, "
            f"{Return.objects.count()} returns, {CreditAccount.objects.count()} credit limits, "
            f"{pending} credit requests waiting for approval.") in out.getvalue()
    assert Order.objects.count() > 0 and pending > 0


def trade_of_the_seed():
    """What a seed decides about trade, in a form two databases can compare."""
    return (list(Order.objects.order_by("number").values_list("number", "customer__code", "ordered_on", "status",
                                                               "total", "returned")),
            list(OrderLine.objects.order_by("order__number", "product__code").values_list(
                "order__number", "product__code", "quantity", "unit_price", "discount_pct")),
            list(Return.objects.order_by("number").values_list("number", "order__number", "kind", "reason", "amount")),
            list(CreditRequest.objects.order_by("customer__code", "kind", "amount").values_list(
                "customer__code", "kind", "status", "amount", "levels")),
            list(CreditAccount.objects.order_by("customer__code").values_list("customer__code", "limit")))


@pytest.mark.rule("PLT-1")
def test_it_gives_the_same_data_for_the_same_seed(db):
    generate(customers=60, seed=11)
    first = list(Customer.objects.order_by("code").values_list("name", "phone", "grade"))
    trade = trade_of_the_seed()
    assert len(trade[0]) > 50 and trade[2] and trade[3]
    call_command("demo_data", customers=60, seed=11, reset=True, verbosity=0)
    assert list(Customer.objects.order_by("code").values_list("name", "phone", "grade")) == first
    assert trade_of_the_seed() == trade
    call_command("demo_data", customers=60, seed=12, reset=True, verbosity=0)
    assert trade_of_the_seed()[0] != trade[0]


# --- trade: products, orders, returns, credit -------------------------------------------------------

@pytest.mark.rule("ORD-1")
def test_it_sells_forty_products_in_five_lines(demo):
    assert (Product.objects.count(), demo["products"]) == (40, 40)
    assert Counter(Product.objects.values_list("line", flat=True)) == {
        "饮料": 8, "乳制品": 8, "休闲食品": 8, "粮油调味": 8, "日化用品": 8}
    for product in Product.objects.all():
        product.full_clean()
    withdrawn = Product.objects.get(active=False)
    # A withdrawn product is only found on orders from before it was withdrawn.
    recent = timezone.localdate() - timedelta(days=180)
    assert not OrderLine.objects.filter(product=withdrawn, order__ordered_on__gt=recent).exists()


@pytest.mark.rule("ORD-1")
def test_it_totals_every_order_as_the_sum_of_its_lines_to_the_cent(demo):
    lines = defaultdict(list)
    for line in OrderLine.objects.all():
        assert line.amount == OrderLine.amount_of(line.quantity, line.unit_price, line.discount_pct), line.pk
        lines[line.order_id].append(line)
    orders = list(Order.objects.all())
    assert len(orders) == demo["orders"] and OrderLine.objects.count() == demo["order_lines"]
    for order in orders:
        assert order.total == sum(line.amount for line in lines[order.pk]), order.number
        assert 1 <= len(lines[order.pk]) <= 3
        assert len({line.product_id for line in lines[order.pk]}) == len(lines[order.pk])
    # About two orders a customer a year, active customers only.
    assert 1.2 * CUSTOMERS <= len(orders) <= 2.5 * CUSTOMERS
    assert not Order.objects.exclude(customer__status="active").exists()
    assert not Order.objects.exclude(owner=F("customer__owner")).exclude(office=F("customer__office")).exists()
    for order in orders[::40]:
        order.full_clean(validate_unique=False)


@pytest.mark.rule("ORD-1")
def test_it_mixes_statuses_with_dates_that_follow_the_flow(demo):
    statuses = Counter(Order.objects.values_list("status", flat=True))
    assert set(statuses) == set(Order.Status.values)
    assert statuses["closed"] + statuses["invoiced"] > 0.8 * demo["orders"]
    assert statuses["closed"] > statuses["invoiced"] > statuses["draft"]
    today = timezone.localdate()
    now = timezone.now()
    for order in Order.objects.all():
        steps = {"confirmed": order.confirmed_at is not None, "delivered": order.delivered_on is not None,
                 "invoiced": order.invoiced_on is not None, "closed": order.closed_on is not None}
        expected = {"draft": set(), "confirmed": {"confirmed"}, "delivered": {"confirmed", "delivered"},
                    "invoiced": {"confirmed", "delivered", "invoiced"},
                    "closed": {"confirmed", "delivered", "invoiced", "closed"}}.get(order.status)
        if expected is not None:
            assert {k for k, done in steps.items() if done} == expected, order.number
        else:  # cancelled from a draft or once confirmed, never after delivery
            assert order.cancelled_on and order.cancel_reason and not order.delivered_on, order.number
        dates = [order.ordered_on, timezone.localdate(order.confirmed_at) if order.confirmed_at else None,
                 order.delivered_on, order.invoiced_on, order.closed_on]
        dates = [d for d in dates if d]
        assert dates == sorted(dates) and dates[-1] <= today, order.number
        assert order.created_at <= order.updated_at <= now
        assert today - order.ordered_on <= timedelta(days=365)
    # Drafts are recent: older ones were confirmed or cancelled.
    assert not Order.objects.filter(status="draft", ordered_on__lt=today - timedelta(days=10)).exists()


@pytest.mark.rule("ORD-1")
def test_it_numbers_orders_by_date_and_leaves_the_counter_where_the_services_continue(demo, django_user_model):
    orders = list(Order.objects.order_by("number").values_list("number", "created_at"))
    assert [n for n, _at in orders] == [f"SO{n:07d}" for n in range(1, len(orders) + 1)]
    assert [at for _n, at in orders] == sorted(at for _n, at in orders)
    assert Sequence.objects.get(name="order").value == len(orders)
    assert Sequence.objects.get(name="return").value == Return.objects.count()
    assert Sequence.objects.get(name="credit_note").value == CreditNote.objects.count()
    assert sorted(Return.objects.values_list("number", flat=True)) == [
        f"TH{n:07d}" for n in range(1, Return.objects.count() + 1)]
    owner = django_user_model.objects.get(username="sales1")
    customer = Customer.objects.filter(owner=owner).first()
    order = sales.order_create(by=owner, customer=customer,
                               lines=[{"product": Product.objects.filter(active=True).first(), "quantity": 1}])
    assert order.number == f"SO{len(orders) + 1:07d}"


@pytest.mark.rule("ORD-2")
def test_it_records_returns_of_both_kinds_that_add_up(demo):
    returns = list(Return.objects.select_related("order"))
    assert len(returns) == demo["returns"] > 0
    assert {r.kind for r in returns} == set(Return.Kind.values)
    assert {r.reason for r in returns} == set(Return.Reason.values)
    returned_of = defaultdict(Decimal)
    lines_of = defaultdict(Decimal)
    for line in ReturnLine.objects.select_related("order_line"):
        lines_of[line.ret_id] += line.amount
        assert line.product_id == line.order_line.product_id
    for line in OrderLine.objects.filter(returned_quantity__gt=0).prefetch_related("return_lines"):
        assert line.returned_quantity == sum(r.quantity for r in line.return_lines.all()) <= line.quantity
    notes = {n.ret_id: n for n in CreditNote.objects.all()}
    for ret in returns:
        order = ret.order
        assert ret.amount == lines_of[ret.pk] > 0, ret.number
        assert (ret.customer_id, ret.owner_id, ret.office_id) == (order.customer_id, order.owner_id, order.office_id)
        returned_of[order.pk] += ret.amount
        if ret.kind == "refused":
            assert (order.status, order.returned, order.delivered_on) == ("cancelled", order.total, None), ret.number
            assert ret.pk not in notes
        else:
            assert order.delivered_on <= ret.returned_on <= timezone.localdate()
            invoiced = order.invoiced_on is not None and order.invoiced_on <= ret.returned_on
            assert (ret.pk in notes) == invoiced, ret.number
            if invoiced:
                assert (notes[ret.pk].amount, notes[ret.pk].customer_id) == (ret.amount, ret.customer_id)
    for order in Order.objects.all():
        assert order.returned == returned_of[order.pk] <= order.total, order.number


@pytest.mark.rule("CRD-3")
@pytest.mark.rule("CRD-4")
def test_it_gives_limits_by_grade_and_sells_within_them(demo):
    policy = CreditPolicy.current()
    accounts = list(CreditAccount.objects.select_related("customer"))
    active = Customer.objects.filter(status="active").count()
    assert 0.8 * active <= len(accounts) < active
    for account in accounts:
        assert (account.limit, account.grade) == (policy.limit_for_grade(account.customer.grade),
                                                  account.customer.grade)
        exposure = exposure_of(account.customer)
        assert exposure.total <= account.limit, account.customer.code
    # Customers still waiting for a limit have drafts at most.
    assert not Order.objects.exclude(status="draft").exclude(customer__credit_account__isnull=False).exists()
    cards = list(CreditCard.objects.all())
    assert cards and len(cards) == demo["credit_cards"]
    for card in cards:
        card.full_clean(exclude=["customer", "filled_by"])


@pytest.mark.rule("CRD-2")
def test_it_leaves_requests_waiting_at_every_level_of_the_chain(demo):
    director1, manager1 = User.objects.get(username="director1"), User.objects.get(username="manager1")
    for_director = approval_queue_for(director1)
    assert len(for_director) >= 3
    office_ids = set(Office.objects.filter(path__startswith=director1.office.path).values_list("pk", flat=True))
    assert {r.customer.office_id for r in for_director} <= office_ids
    for_manager = approval_queue_for(manager1)
    assert len(for_manager) >= 2
    for request in for_manager:
        step = request.steps.get()
        assert (step.level, step.decision, step.decided_by.role) == ("director", "approved", Role.DIRECTOR)
        assert step.decided_by.office_id == Office.objects.get(pk=request.customer.office_id).parent_id
    pending = CreditRequest.objects.filter(status="pending")
    assert pending.count() == demo["pending_requests"]
    assert {level for r in pending for level in r.levels} >= {"director", "sales_manager"}
    for request in CreditRequest.objects.prefetch_related("steps"):
        signed = [s.level for s in request.steps.all()]
        assert signed == request.levels[:len(signed)], request.pk  # signed in chain order
        decisions = [s.decision for s in request.steps.all()]
        if request.status == "approved":  # the request that set the customer's present limit
            assert signed == request.levels and set(decisions) == {"approved"}
            account = CreditAccount.objects.get(customer=request.customer)
            assert (request.amount, request.previous_limit, request.decided_at) == (
                account.limit, 0, account.approved_at)
            assert request.steps.last().at == request.decided_at
        elif request.status == "rejected":
            assert decisions[-1] == "rejected" and set(decisions[:-1]) <= {"approved"}
        else:
            assert request.next_level is not None and set(decisions) <= {"approved"}
    assert CreditApproval.objects.filter(at__gt=timezone.now()).count() == 0


@pytest.mark.rule("PLT-1")
def test_it_keeps_the_credit_settings_when_starting_over(db):
    call_command("demo_data", customers=20, verbosity=0)
    call_command("demo_data", customers=20, reset=True, verbosity=0)
    assert sorted(ApprovalThreshold.objects.values_list("level", "min_amount")) == [
        ("director", Decimal("0")), ("general_manager", Decimal("1000000")), ("marketing_vp", Decimal("500000")),
        ("sales_manager", Decimal("100000"))]
    assert CreditPolicy.objects.count() == 1

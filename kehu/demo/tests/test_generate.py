"""The demo data generator: the right numbers, scopes that show what each demo login should
see, derived columns as the services compute them, orders, returns and credit that obey the
rules of the services, and no second run over existing data."""

import re
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
from kehu.credit import models as credit
from kehu.credit.selectors import approval_queue_for, exposure_of, last_approved_limit_request
from kehu.customers.models import Customer, KeyPerson
from kehu.customers.selectors import customers_visible_to
from kehu.customers.services import format_code, refresh_derived
from kehu.demo.generate import DEMO_PASSWORD, generate, plan_for
from kehu.receivables import selectors as receivables
from kehu.receivables import services as ledger
from kehu.receivables.models import (
    Allocation,
    CollectionAttempt,
    CollectionPlan,
    CollectionTask,
    Instalment,
    Invoice,
    Payment,
    Promise,
)
from kehu.sales import services as sales
from kehu.sales.models import CENT, CreditNote, Order, OrderLine, Product, Return, ReturnLine

CUSTOMERS = 300


def generated():
    """The cards the generator wrote, not the prospects customers referred (REF-1)."""
    from kehu.loyalty.models import Referral

    return Customer.objects.exclude(pk__in=Referral.objects.values("referred"))


@pytest.fixture
def demo(db):
    return generate(customers=CUSTOMERS, seed=7)


@pytest.mark.rule("PLT-1")
def test_it_creates_the_requested_numbers(demo):
    plan = plan_for(CUSTOMERS)
    # The generated cards, and the prospects customers referred (REF-1) on top.
    assert Customer.objects.count() == demo["customers"] + demo["referrals"] and demo["customers"] == CUSTOMERS
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
    counts = generated().annotate(n=Count("key_people"))
    assert min(c.n for c in counts) >= 2
    assert KeyPerson.objects.count() >= 2.5 * CUSTOMERS


@pytest.mark.rule("CUS-5")
def test_it_files_every_customer_under_its_owners_office(demo):
    owned = Customer.objects.filter(owner__isnull=False)  # not those the nightly move put into the pool
    mismatched = [c.code for c in owned.select_related("owner") if c.office_id != c.owner.office_id]
    assert mismatched == []
    assert not owned.exclude(developed_by=F("owner")).exclude(filled_by=F("owner")).exists()


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
    assert customers_visible_to(User.objects.get(username="gm")).count() == Customer.objects.count()


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
    assert codes == [format_code(n) for n in range(1, len(codes) + 1)] and len(codes) > CUSTOMERS  # referred ones last
    assert Customer.objects.values("name_key").distinct().count() == len(codes)


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

    from kehu.sales.models import Order, Product, Return

    out = io.StringIO()
    with translation.override("en"):
        call_command("demo_data", customers=60, seed=11, stdout=out)
    pending = credit.CreditRequest.objects.filter(status="pending").count()
    assert (f"Trade: {Product.objects.count()} products, {Order.objects.count()} orders, "
            f"{Return.objects.count()} returns, {credit.CreditAccount.objects.count()} credit limits, "
            f"{pending} credit requests waiting for approval.") in out.getvalue()
    assert Order.objects.count() > 0 and pending > 0
    assert (f"Receivables: {Invoice.objects.count()} invoices, {Payment.objects.count()} payments, "
            f"{Promise.objects.count()} promises to pay, {CollectionPlan.objects.count()} collection plans.") \
        in out.getvalue()
    assert Invoice.objects.exists() and Payment.objects.exists() and Promise.objects.exists()


def trade_of_the_seed():
    """What a seed decides about trade, in a form two databases can compare."""
    return (list(Order.objects.order_by("number").values_list("number", "customer__code", "ordered_on", "status",
                                                               "total", "returned")),
            list(OrderLine.objects.order_by("order__number", "product__code").values_list(
                "order__number", "product__code", "quantity", "unit_price", "discount_pct")),
            list(Return.objects.order_by("number").values_list("number", "order__number", "kind", "reason", "amount")),
            list(credit.CreditRequest.objects.order_by("customer__code", "kind", "amount").values_list(
                "customer__code", "kind", "status", "amount", "levels")),
            list(credit.CreditAccount.objects.order_by("customer__code").values_list("customer__code", "limit")),
            list(Invoice.objects.order_by("number").values_list("number", "order__number", "due_on", "amount",
                                                                "open_amount")),
            list(Payment.objects.order_by("number").values_list("number", "customer__code", "received_on", "amount",
                                                                "unallocated", "reversed_on")),
            list(Promise.objects.order_by("customer__code", "made_on", "amount").values_list(
                "customer__code", "made_on", "promised_on", "amount", "status")))


@pytest.mark.rule("PLT-1")
def test_it_gives_the_same_data_for_the_same_seed(db):
    generate(customers=60, seed=11)
    first = list(Customer.objects.order_by("code").values_list("name", "phone", "grade"))
    trade = trade_of_the_seed()
    assert len(trade[0]) > 50 and trade[2] and trade[3] and trade[5] and trade[6]
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
    policy = credit.CreditPolicy.current()
    accounts = list(credit.CreditAccount.objects.select_related("customer"))
    active = Customer.objects.filter(status="active").count()
    assert 0.8 * active <= len(accounts) < active
    for account in accounts:
        assert (account.limit, account.grade) == (policy.limit_for_grade(account.customer.grade),
                                                  account.customer.grade)
        exposure = exposure_of(account.customer)
        assert exposure.total <= account.limit, account.customer.code
    # Customers still waiting for a limit have drafts at most.
    assert not Order.objects.exclude(status="draft").exclude(customer__credit_account__isnull=False).exists()
    cards = list(credit.CreditCard.objects.all())
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
    pending = credit.CreditRequest.objects.filter(status="pending")
    assert pending.count() == demo["pending_requests"]
    assert {level for r in pending for level in r.levels} >= {"director", "sales_manager"}
    for request in credit.CreditRequest.objects.prefetch_related("steps"):
        signed = [s.level for s in request.steps.all()]
        assert signed == request.levels[:len(signed)], request.pk  # signed in chain order
        decisions = [s.decision for s in request.steps.all()]
        if request.status == "approved":  # the request that set the customer's present limit
            assert signed == request.levels and set(decisions) == {"approved"}
            account = credit.CreditAccount.objects.get(customer=request.customer)
            assert (request.amount, request.previous_limit, request.decided_at) == (
                account.limit, 0, account.approved_at)
            assert request.steps.last().at == request.decided_at
        elif request.status == "rejected":
            assert decisions[-1] == "rejected" and set(decisions[:-1]) <= {"approved"}
        else:
            assert request.next_level is not None and set(decisions) <= {"approved"}
    assert credit.CreditApproval.objects.filter(at__gt=timezone.now()).count() == 0


@pytest.mark.rule("CRD-1")
def test_every_demo_limit_names_who_signed_it_and_card_shares_follow_the_amounts(demo):
    """CRD-1/CRD-2: the KH002 approver block of a demo limit shows its signers (never —): each
    limit has the approved request that set it, signed at every level; each card's 比重 is
    computed from its brands' monthly amounts, not a fixed 50/30/20."""
    accounts = list(credit.CreditAccount.objects.select_related("customer"))
    assert accounts
    for account in accounts:
        approved = last_approved_limit_request(account.customer)
        assert approved is not None, account.customer.code
        signers = [s for s in approved.steps.all() if s.decision == "approved"]
        assert [s.level for s in signers] == approved.levels and all(s.decided_by_id for s in signers)
    for card in credit.CreditCard.objects.all():
        amounts = [Decimal(row["monthly_sales"]) for row in card.brand_sales]
        for row, amount in zip(card.brand_sales, amounts, strict=True):
            assert Decimal(row["share"]) == (amount * 100 / sum(amounts)).quantize(Decimal("0.1")), card.pk


@pytest.mark.rule("CUS-3")
def test_each_card_tells_one_story_of_its_size(demo):
    """CUS-1/CUS-3: nature → size → staff, turnover and scale note agree: no 个体 with 153 staff
    and ¥48.4M a year, no scale note of about 28 staff on a card of 90."""
    cards = list(Customer.objects.values("code", "nature", "grade", "employee_count", "annual_turnover",
                                         "size_description"))
    checked = Counter()
    for card in cards:
        staff, turnover, note = card["employee_count"], card["annual_turnover"], card["size_description"]
        if card["nature"] == "individual":
            assert card["grade"] != "A", card["code"]
            assert staff is None or staff <= 20, card["code"]
            assert turnover is None or turnover <= 10_000_000, card["code"]
            checked["individual"] += 1
        if staff is not None and turnover is not None and 2 < staff < 20:  # not held at a bound
            assert 200_000 <= turnover / staff <= 700_000, card["code"]  # sales per head of a distributor
            checked["per head"] += 1
        if note:
            counted = re.search(r"员工(\d+)人", note)
            assert counted, (card["code"], note)
            if staff is not None:
                assert int(counted.group(1)) == staff, (card["code"], note, staff)
                if "规模前三" in note or "规模较大" in note:
                    assert staff >= 100, (card["code"], note)
                if "小本经营" in note or "门店一间" in note:
                    assert staff <= 15, (card["code"], note)
                checked["note"] += 1
    assert checked["individual"] > 10 and checked["per head"] > 10 and checked["note"] > 50, checked


@pytest.mark.rule("AR-1")
def test_the_credit_words_of_a_card_agree_with_its_payment_terms(demo):
    """AR-1/CUS-3: a customer who buys on terms (its own or the company's) is never described as
    现款现货，无赊欠; a card's 月结 days are its payment terms."""
    from kehu.receivables.models import CollectionPolicy

    default = CollectionPolicy.current().payment_days
    on_terms = 0
    for card in Customer.objects.values("code", "status", "payment_days", "trade_terms", "credit_status"):
        if card["status"] == "active" or card["payment_days"] is not None:
            assert "无赊欠" not in card["credit_status"] and "现款" not in card["trade_terms"], card
            on_terms += 1
        days = re.search(r"月结(\d+)天", card["trade_terms"])
        if days:
            assert int(days.group(1)) == (card["payment_days"] or default), card
    assert on_terms > 100


@pytest.mark.rule("CRD-2")
def test_credit_requests_give_reasons_true_to_the_customers_history(demo):
    """CRD-2: a request says 首批订单已付清 only when an order of the customer was paid (closed)
    before it was asked; a customer without orders never gets it."""
    requests = list(credit.CreditRequest.objects.select_related("customer"))
    first_paid = 0
    for request in requests:
        if "首批订单已付清" in request.reasons:
            assert Order.objects.filter(customer=request.customer, status="closed",
                                        closed_on__lt=timezone.localdate(request.created_at)).exists(), request.pk
            first_paid += 1
    without_orders = [r for r in requests if not Order.objects.filter(customer=r.customer).exclude(
        status="draft").exists()]
    assert without_orders and not any("已付清" in r.reasons for r in without_orders)
    assert first_paid > 0


@pytest.mark.rule("PLT-1")
def test_it_keeps_the_credit_settings_when_starting_over(db):
    call_command("demo_data", customers=20, verbosity=0)
    call_command("demo_data", customers=20, reset=True, verbosity=0)
    assert sorted(credit.ApprovalThreshold.objects.values_list("level", "min_amount")) == [
        ("director", Decimal("0")), ("general_manager", Decimal("1000000")), ("marketing_vp", Decimal("500000")),
        ("sales_manager", Decimal("100000"))]
    assert credit.CreditPolicy.objects.count() == 1


# --- receivables: invoices, receipts, promises, plans, collection work --------------------------------

def _totals(rows) -> defaultdict:
    totals = defaultdict(Decimal)
    for key, amount in rows:
        totals[key] += amount
    return totals


def _paid_between(customer_id, start, end) -> Decimal:
    """What kehu.receivables.services counts towards a promise: receipts that stand."""
    return sum(Payment.objects.filter(customer_id=customer_id, received_on__gte=start, received_on__lte=end,
                                      reversed_on__isnull=True).values_list("amount", flat=True), Decimal("0"))


@pytest.mark.rule("AR-1")
def test_it_gives_some_customers_payment_terms_of_their_own(demo):
    terms = Counter(Customer.objects.values_list("payment_days", flat=True))
    assert set(terms) == {None, 30, 45, 60}
    assert terms[None] > CUSTOMERS / 2


@pytest.mark.rule("AR-1")
def test_it_invoices_every_invoiced_order_for_what_it_asked_when_invoiced(demo):
    invoices = {i.order_id: i for i in Invoice.objects.all()}
    # Returns before invoicing lower the invoice; those after it produce a credit note.
    before = _totals(Return.objects.filter(kind="returned", credit_note__isnull=True).values_list("order_id", "amount"))
    for order in Order.objects.filter(status__in=["invoiced", "closed"]).select_related("customer"):
        asked = order.total - before[order.pk]
        if asked <= 0:
            assert order.pk not in invoices, order.number
            continue
        invoice = invoices.pop(order.pk)
        due_on = order.invoiced_on + timedelta(days=order.customer.payment_days or 30)
        assert (invoice.customer_id, invoice.issued_on, invoice.due_on, invoice.amount, invoice.source) == (
            order.customer_id, order.invoiced_on, due_on, asked, "order"), order.number
    assert invoices == {}  # no invoice of an order that was not invoiced
    numbers = list(Invoice.objects.order_by("number").values_list("number", "issued_on"))
    assert [n for n, _on in numbers] == [f"INV{n:08d}" for n in range(1, len(numbers) + 1)]
    assert [on for _n, on in numbers] == sorted(on for _n, on in numbers)
    assert Sequence.objects.get(name="invoice").value == len(numbers) == demo["invoices"]
    # A credit note settles its order's invoice unless that was settled before the return.
    notes = list(CreditNote.objects.select_related("ret__order__invoice"))
    assert notes and Invoice.objects.filter(credited__gt=0).exists()
    for note in notes:
        own = note.ret.order.invoice
        settled_before = sum(Allocation.objects.filter(receivables.standing_on(note.issued_on), invoice=own)
                             .exclude(credit_note=note).values_list("amount", flat=True), Decimal("0"))
        assert note.allocations.filter(invoice=own).exists() or settled_before == own.amount, note.number


@pytest.mark.rule("AR-1")
@pytest.mark.rule("AR-3")
def test_it_keeps_the_ledger_whole_to_the_cent(demo):
    standing = Allocation.objects.filter(withdrawn_on__isnull=True)
    settled = _totals(standing.values_list("invoice_id", "amount"))
    credited = _totals(standing.filter(credit_note__isnull=False).values_list("invoice_id", "amount"))
    allocated = _totals(standing.filter(payment__isnull=False).values_list("payment_id", "amount"))
    used = _totals(standing.filter(credit_note__isnull=False).values_list("credit_note_id", "amount"))
    for invoice in Invoice.objects.all():
        assert (invoice.open_amount, invoice.credited) == (invoice.amount - settled[invoice.pk],
                                                           credited[invoice.pk]), invoice.number
    for payment in Payment.objects.all():
        expected = Decimal("0") if payment.reversed_on else payment.amount - allocated[payment.pk]
        assert payment.unallocated == expected, payment.number
    open_amounts = _totals(Invoice.objects.values_list("customer_id", "open_amount"))
    on_account = _totals(Payment.objects.filter(reversed_on__isnull=True).values_list("customer_id", "unallocated"))
    for note in CreditNote.objects.all():
        assert 0 <= used[note.pk] <= note.amount, note.number
        on_account[note.customer_id] += note.amount - used[note.pk]
    ids = list(Customer.objects.values_list("pk", flat=True))
    balances = receivables.balances(ids)
    assert balances == {pk: open_amounts[pk] - on_account[pk] for pk in ids}
    assert sum(balances.values()) > 0
    gm = User.objects.get(username="gm")
    rows, total = receivables.ageing(gm, by="customer")
    assert {r.key: r.balance for r in rows} == {pk: balances[pk] for pk in ids if open_amounts[pk] or on_account[pk]}
    assert total.balance == sum(balances.values())
    # Every allocation counts from a day both its sides existed: the ledger reads right on any day.
    for allocation in Allocation.objects.select_related("invoice", "payment", "credit_note"):
        source_on = allocation.payment.received_on if allocation.payment else allocation.credit_note.issued_on
        assert allocation.on >= max(allocation.invoice.issued_on, source_on), allocation.pk
    for days in (30, 120, 250):
        as_of = timezone.localdate() - timedelta(days=days)
        _rows, then = receivables.ageing(gm, as_of=as_of, by="company")
        # To the cent: SQLite subtracts a past day's allocations in floating point.
        assert then.balance.quantize(CENT) == sum(receivables.balances(ids, as_of=as_of).values()), as_of


@pytest.mark.rule("AR-1")
def test_it_writes_rows_that_pass_validation(demo):
    checked = 0
    for model in (Invoice, Payment, Allocation, Promise, CollectionPlan, Instalment, CollectionTask,
                  CollectionAttempt):
        rows = list(model.objects.order_by("pk"))
        assert rows, model
        for obj in rows[::max(1, len(rows) // 20)]:
            obj.full_clean(validate_unique=False)
            checked += 1
    assert checked > 100


@pytest.mark.rule("AR-1")
def test_it_numbers_receipts_per_office_and_leaves_the_books_where_the_services_continue(demo):
    offices = {o.pk: o for o in Office.objects.all()}
    books = defaultdict(list)
    for payment in Payment.objects.select_related("customer").order_by("serial"):
        assert payment.office_id == payment.customer.office_id, payment.number
        books[payment.office_id].append(payment)
    assert len(books) > 1 and sum(len(b) for b in books.values()) == demo["payments"]
    for office_id, payments in books.items():
        code = offices[office_id].receipt_prefix
        assert re.fullmatch(r"[A-Z]{2,4}[0-9]{0,3}", code), code  # SH1, not the pinyin SHANGHAI-1
        assert [(p.serial, p.number) for p in payments] == [(n, f"{code}-{n:06d}") for n in range(1, len(payments) + 1)]
        received = [p.received_on for p in payments]
        assert received == sorted(received)
        assert Sequence.objects.get(name=f"receipt:{office_id}").value == len(payments)
    finance = User.objects.get(username="finance")
    office_id, payments = next(iter(books.items()))
    receipt = ledger.payment_post(by=finance, customer=payments[0].customer, amount="100.00", method="cash")
    assert receipt.number == f"{offices[office_id].receipt_prefix}-{len(payments) + 1:06d}"
    order = Order.objects.filter(status="delivered", total__gt=F("returned")).first()
    ledger.order_invoice(by=finance, order=order, version=order.version)
    assert Invoice.objects.get(order=order).number == f"INV{demo['invoices'] + 1:08d}"


@pytest.mark.rule("AR-1")
def test_it_pays_closed_orders_in_full_between_invoicing_and_closing(demo):
    receipts = defaultdict(list)
    for allocation in Allocation.objects.filter(payment__isnull=False, withdrawn_on__isnull=True).select_related(
            "payment"):
        receipts[allocation.invoice_id].append(allocation)
    on_time = late = 0
    for invoice in Invoice.objects.filter(order__status="closed").select_related("order"):
        order = invoice.order
        assert invoice.open_amount == 0, invoice.number
        paid_for_it = []
        for allocation in receipts[invoice.pk]:
            received = allocation.payment.received_on
            if received < order.invoiced_on:  # credit on account, taken when the invoice was issued
                assert allocation.on == invoice.issued_on, invoice.number
            else:
                assert received <= order.closed_on, invoice.number
                paid_for_it.append(received)
        assert len(paid_for_it) <= 2, invoice.number
        if paid_for_it:
            on_time += max(paid_for_it) <= invoice.due_on
            late += max(paid_for_it) > invoice.due_on
    assert on_time > 2 * late > 0


@pytest.mark.rule("AR-1")
@pytest.mark.rule("AR-3")
def test_it_leaves_invoiced_orders_unpaid_part_paid_and_long_overdue(demo):
    waiting = Invoice.objects.filter(order__status="invoiced")
    assert waiting.filter(open_amount=F("amount")).count() > waiting.filter(open_amount__lt=F("amount")).count() > 0
    assert waiting.filter(open_amount__gt=0, open_amount__lt=F("amount")).exists()
    gm = User.objects.get(username="gm")
    rows, total = receivables.ageing(gm, by="customer")
    for bucket in ("current", "d1_30", "d91_180", "over_180"):
        assert total.buckets[bucket] > 0, bucket
    assert total.buckets["current"] > total.overdue / 2
    # A few customers have credit on account: a payment in advance, a round sum, a late return.
    assert 0 < sum(r.on_account > 0 for r in rows) < CUSTOMERS / 5
    finance = User.objects.get(username="finance")
    reversed_ = list(Payment.objects.filter(reversed_on__isnull=False))
    assert 3 <= len(reversed_) == demo["reversed_payments"] < demo["payments"] / 50
    for payment in reversed_:
        assert payment.reversed_by == finance and payment.reversal_reason and payment.reversed_on >= payment.received_on
        withdrawn = list(payment.allocations.all())
        assert withdrawn and {(a.withdrawn_on, a.withdrawn_by_id) for a in withdrawn} == {
            (payment.reversed_on, finance.pk)}, payment.number
    assert not Allocation.objects.filter(withdrawn_on__isnull=False, payment__reversed_on__isnull=True).exists()


@pytest.mark.rule("AR-2")
def test_it_records_promises_kept_broken_and_open_as_the_services_judge_them(demo):
    today = timezone.localdate()
    promises = list(Promise.objects.select_related("invoice"))
    statuses = Counter(p.status for p in promises)
    assert statuses["kept"] > 0 and statuses["broken"] > 0 and statuses["open"] > 0
    assert len(promises) == demo["promises"]
    for p in promises:
        assert p.invoice.customer_id == p.customer_id and p.made_on >= p.invoice.due_on, p.pk
        if p.status == "open":
            assert p.promised_on >= today and p.resolved_on is None
            assert _paid_between(p.customer_id, p.made_on, today) < p.amount, p.pk
        elif p.status == "kept":
            assert _paid_between(p.customer_id, p.made_on, min(p.promised_on, today)) >= p.amount, p.pk
            assert p.made_on <= p.resolved_on <= min(p.promised_on, today)
        else:
            assert p.promised_on < today and p.resolved_on == p.promised_on + timedelta(days=1), p.pk
            assert _paid_between(p.customer_id, p.made_on, p.promised_on) < p.amount, p.pk
        attempt = p.attempt  # every promise was made in an attempt to collect
        assert (attempt.outcome, attempt.customer_id, attempt.invoice_id) == ("promised", p.customer_id, p.invoice_id)
        assert timezone.localdate(attempt.at) == p.made_on
    broken = receivables.broken_promises(Customer.objects.values_list("pk", flat=True))
    assert sum(n >= 2 for n in broken.values()) > 0
    outcomes = Counter(CollectionAttempt.objects.values_list("outcome", flat=True))
    assert set(outcomes) == set(CollectionAttempt.Outcome.values)
    assert sum(outcomes.values()) == demo["collection_attempts"]


@pytest.mark.rule("AR-5")
def test_it_plans_instalments_in_step_with_what_the_invoice_settled(demo):
    today = timezone.localdate()
    plans = list(CollectionPlan.objects.select_related("order").prefetch_related("instalments"))
    assert len(plans) == demo["collection_plans"] >= 3
    assert {p.status for p in plans} == {"active", "void"}
    for plan in plans:
        instalments = sorted(plan.instalments.all(), key=lambda i: (i.due_on, i.pk))
        assert len(instalments) >= 2 and sum(i.amount for i in instalments) == plan.order.net, plan.pk
        assert instalments[0].due_on >= plan.order.ordered_on
        if plan.status == "void":
            assert plan.void_reason and {i.status for i in instalments} == {"void"}
            continue
        invoice = Invoice.objects.filter(order=plan.order).first()
        covered = invoice.settled if invoice else Decimal("0")
        for instalment in instalments:
            paid = min(covered, instalment.amount)
            covered -= paid
            status = ledger.instalment_status(due_on=instalment.due_on, amount=instalment.amount, paid=paid,
                                              today=today)
            assert (instalment.paid, instalment.status) == (paid, status), plan.pk


@pytest.mark.rule("AR-2")
def test_it_leaves_todays_collection_work_as_the_morning_run_makes_it(demo):
    today = timezone.localdate()
    assert CollectionTask.objects.count() == demo["collection_tasks"]
    kinds = Counter(CollectionTask.objects.values_list("kind", "status"))
    assert kinds[("visit", "open")] > 0 and kinds[("visit", "done")] > 0 and kinds[("promise", "done")] > 0
    assert kinds[("reminder", "done")] > 0
    for task in CollectionTask.objects.filter(status="done").prefetch_related("attempts"):
        assert task.done_at and task.done_by_id and len(task.attempts.all()) == 1, task.pk
    # Another morning run today finds nothing to do: the demo is where the worker left it.
    assert ledger.collection_day(today=today) == {"kept": 0, "broken": 0, "tasks": 0, "dropped": 0}
    assert not Promise.objects.filter(status="open", promised_on__lt=today).exists()
    # Every invoice that fell due unpaid has its visit; invoices paid by a plan follow their instalments.
    planned = CollectionPlan.objects.filter(status="active").values("order")
    overdue = Invoice.objects.filter(open_amount__gt=0, due_on__lte=today).exclude(order__in=planned)
    assert not overdue.exclude(tasks__kind="visit").exists()


@pytest.mark.rule("CMP-6")
def test_it_gives_handled_complaints_a_cause_and_closed_ones_answers_and_keeps_the_reply_scripts(demo):
    from kehu.service.models import Complaint, ReplyScript, Satisfaction

    investigated = Complaint.objects.filter(steps__step="investigate")
    assert investigated.exists() and not investigated.filter(cause="").exists()
    closed = Complaint.objects.filter(status="closed")
    assert closed.exists() and Satisfaction.objects.filter(complaint__in=closed).exists()
    assert not Satisfaction.objects.exclude(complaint__status="closed").exists()
    scripts = ReplyScript.objects.count()
    call_command("demo_data", customers=20, reset=True, verbosity=0)
    assert scripts == 3 and ReplyScript.objects.count() == 3

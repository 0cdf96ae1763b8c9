"""kehu/receivables selectors called directly, to the cent: balances as of any day (AR-1), the
ageing and its reconciliation with the balances (AR-3), the collection rate of a period
(AR-4), open amounts and credit on account on a day, broken promises, what credit reads
(CRD-3, CRD-4), and the dashboard's headline."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db.models import Q
from django.utils import timezone

from conftest import ROLES, rule
from kehu.core import periods
from kehu.core.capabilities import user_can
from kehu.receivables import selectors, services
from kehu.receivables.capabilities import COLLECT, KEEP_LEDGER, SEE_RECEIVABLES
from kehu.receivables.models import Invoice
from kehu.receivables.tests import builders
from kehu.receivables.tests.builders import credited_return, imported_invoice, invoiced_order, new_payment
from kehu.sales.tests.builders import confirmed_order, draft_order

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english", "old_invoices_allowed")]
TODAY = timezone.localdate()
D = Decimal


def days_ago(n: int) -> date:
    return TODAY - timedelta(days=n)


@pytest.fixture
def book(users, customer, outsider_customer):
    """The owner's customer C:
        I1 ¥1,000.00 issued 100 days ago, due 70 days ago   — ¥149.50 paid (P1)
        I2 ¥500.00   issued 45 days ago,  due 15 days ago   — ¥100.00 paid (P2)
        I3 ¥300.00   issued 10 days ago,  due in 20 days
        I4 ¥250.50   issued 220 days ago, due 200 days ago  — paid (P1)
        P1 ¥400.00 received 20 days ago (oldest first), P2 ¥100.00 5 days ago (to I2),
        P3 ¥50.00 3 days ago, kept on account.
    The Hangzhou customer H: J1 ¥800.00 issued 40 days ago, due 10 days ago; Q1 ¥200.00
    received 2 days ago settled it in part and was reversed today."""
    finance = users["finance"]

    def invoice(target, number, amount, issued, due):
        return imported_invoice(by=finance, customer=target, number=number, amount=amount,
                                issued_on=days_ago(issued),
                                due_on=days_ago(due))

    made = {"I1": invoice(customer, "I1", "1000.00", 100, 70), "I2": invoice(customer, "I2", "500.00", 45,
                                                                             15),
            "I3": invoice(customer, "I3", "300.00", 10, -20), "I4": invoice(customer, "I4", "250.50", 220,
                                                                            200),
            "J1": invoice(outsider_customer, "J1", "800.00", 40, 10)}
    made["P1"] = new_payment(customer=customer, amount="400.00", by=finance, received_on=days_ago(20))
    made["P2"] = new_payment(customer=customer, amount="100.00", by=finance, received_on=days_ago(5),
                             allocations=[(made["I2"], "100.00")])
    made["P3"] = new_payment(customer=customer, amount="50.00", by=finance, received_on=days_ago(3),
                             allocations=[])
    made["Q1"] = new_payment(customer=outsider_customer, amount="200.00", by=finance, received_on=days_ago(2))
    services.payment_reverse(by=finance, payment=made["Q1"], reason="退票")
    return made


def buckets(row) -> dict:
    return {key: amount for key, amount in row.buckets.items() if amount}


# --- AR-1: balances ----------------------------------------------------------------------------------------

@rule("AR-1")
@pytest.mark.parametrize(("ago", "mine", "theirs"), [
    (0, "1500.50", "800.00"),    # today: Q1 reversed
    (1, "1500.50", "600.00"),    # yesterday Q1 still stood
    (4, "1550.50", "800.00"),    # before P3 and Q1
    (50, "1250.50", "0"),        # only I1 and I4 issued, nothing paid
    (300, "0", "0"),
])
def test_it_gives_each_balance_as_of_a_day(customer, outsider_customer, book, ago, mine, theirs):
    assert selectors.balances([customer.pk, outsider_customer.pk], as_of=days_ago(ago)) == {
        customer.pk: D(mine), outsider_customer.pk: D(theirs)}


@rule("AR-1")
def test_it_reads_the_balances_of_any_number_of_customers_in_three_queries(customer, outsider_customer, book,
                                                                          django_assert_num_queries):
    with django_assert_num_queries(3):  # invoices, payments standing, credit notes
        assert selectors.balances([customer.pk, outsider_customer.pk, 999_999]) == {
            customer.pk: D("1500.50"), outsider_customer.pk: D("800.00"), 999_999: D("0")}
    assert selectors.balances([]) == {}


@rule("AR-1")
def test_it_counts_a_credit_note_against_the_balance_from_its_day(users, customer, product):
    invoice = invoiced_order(customer=customer, product=product, quantity=10, on=days_ago(30))
    new_payment(customer=customer, amount="1000", by=users["finance"], received_on=days_ago(20))
    # ¥200 credit note today, nothing left to settle
    credited_return(order=invoice.order, quantities=[(0, 2)])
    assert selectors.balances([customer.pk]) == {customer.pk: D("-200.00")}
    assert selectors.balances([customer.pk], as_of=days_ago(1)) == {customer.pk: D("0.00")}
    assert selectors.on_account(Q(customer=customer), as_of=TODAY, key="customer_id") == {
        customer.pk: D("200.00")}
    assert selectors.on_account(Q(customer=customer), as_of=days_ago(1), key="customer_id") == {}
    _rows, total = selectors.ageing(users["gm"])
    assert (total.open_total, total.on_account, total.balance) == (D("0"), D("200.00"), D("-200.00"))


# --- open amounts and credit on account on a day ---------------------------------------------------------


@rule("AR-3")
@pytest.mark.parametrize(("ago", "open_on"), [
    (0, {"I1": "850.50", "I2": "400.00", "I3": "300.00", "J1": "800.00"}),
    (1, {"I1": "850.50", "I2": "400.00", "I3": "300.00", "J1": "600.00"}),
    (6, {"I1": "850.50", "I2": "500.00", "I3": "300.00", "J1": "800.00"}),
    (50, {"I1": "1000.00", "I4": "250.50"}),
])
def test_it_gives_each_invoices_open_amount_on_a_day(book, ago, open_on):
    found = selectors.open_invoices_on(Invoice.objects.all(), days_ago(ago))
    assert {i.number: i.open_on for i in found} == {number: D(amount) for number, amount in open_on.items()}


@rule("AR-1")
@pytest.mark.parametrize(("ago", "credit"), [(0, {"C": "50.00"}), (1, {"C": "50.00"}), (3, {"C": "50.00"}),
                                             (4, {}), (30, {})])
def test_it_gives_the_credit_on_account_on_a_day(customer, outsider_customer, book, ago, credit):
    keys = {"C": customer.pk}
    everyone = Q(customer_id__in=[customer.pk, outsider_customer.pk])
    assert selectors.on_account(everyone, as_of=days_ago(ago), key="customer_id") == {
        keys[k]: D(v) for k, v in credit.items()}
    company = selectors.on_account(everyone, as_of=days_ago(ago), key=None)
    assert company == ({None: D(credit["C"])} if credit else {})


# --- AR-3: ageing -------------------------------------------------------------------------------------------

@rule("AR-3")
def test_it_ages_open_amounts_per_customer_with_totals_that_reconcile_with_the_balances(
        users, customer, outsider_customer, book):
    rows, total = selectors.ageing(users["gm"], by="customer")
    assert [(r.key, r.label, buckets(r), r.on_account, r.overdue, r.balance) for r in rows] == [
        (customer.pk, "上海恒丰商贸有限公司", {"current": D("300.00"), "d1_30": D("400.00"), "d61_90": D("850.50")},
         D("50.00"), D("1250.50"), D("1500.50")),
        (outsider_customer.pk, "杭州西湖百货商店", {"d1_30": D("800.00")}, D("0"), D("800.00"), D("800.00")),
    ]
    assert (total.label, buckets(total), total.open_total, total.on_account, total.balance) == (
        "Total", {"current": D("300.00"), "d1_30": D("1200.00"), "d61_90": D("850.50")}, D("2350.50"), D("50.00"),
        D("2300.50"))
    balances = selectors.balances([customer.pk, outsider_customer.pk])
    assert total.balance == sum(balances.values())
    assert {r.key: r.balance for r in rows} == balances


@rule("AR-3")
@pytest.mark.parametrize("ago", [1, 4, 50])
def test_it_ages_the_ledger_as_it_stood_on_an_earlier_day(users, customer, outsider_customer, book, ago):
    rows, total = selectors.ageing(users["gm"], as_of=days_ago(ago), by="customer")
    balances = selectors.balances([customer.pk, outsider_customer.pk], as_of=days_ago(ago))
    assert {r.key: r.balance for r in rows} == {pk: amount for pk, amount in balances.items() if amount}
    assert total.balance == sum(balances.values())


@rule("AR-3")
def test_it_ages_fifty_days_ago_by_the_due_dates_seen_from_then(users, customer, book):
    rows, total = selectors.ageing(users["gm"], as_of=days_ago(50), by="customer")
    assert [(r.key, buckets(r), r.on_account) for r in rows] == [
        (customer.pk, {"d1_30": D("1000.00"), "d91_180": D("250.50")}, D("0"))]
    assert (total.overdue, total.balance) == (D("1250.50"), D("1250.50"))


@rule("AR-3")
def test_it_ages_yesterday_with_the_receipt_reversed_today_still_standing(users, customer, outsider_customer,
                                                                          book):
    rows, _total = selectors.ageing(users["gm"], as_of=days_ago(1), by="customer")
    assert [(r.key, buckets(r), r.on_account) for r in rows] == [
        (customer.pk, {"current": D("300.00"), "d1_30": D("400.00"), "d61_90": D("850.50")}, D("50.00")),
        (outsider_customer.pk, {"d1_30": D("600.00")}, D("0"))]


@rule("AR-3")
def test_it_groups_the_ageing_by_salesperson_office_and_company(users, offices, book):
    by_owner, _total = selectors.ageing(users["gm"], by="owner")
    assert [(r.key, r.label, r.open_total, r.on_account) for r in by_owner] == [
        (users["owner"].pk, "张伟", D("1550.50"), D("50.00")), (users["outsider"].pk, "王芳", D("800.00"),
                                                              D("0"))]
    by_office, _total = selectors.ageing(users["gm"], by="office")
    assert [(r.key, r.label, r.balance) for r in by_office] == [
        (offices["team"].pk, "上海一组", D("1500.50")), (offices["hangzhou"].pk, "杭州办事处", D("800.00"))]
    company, total = selectors.ageing(users["gm"], by="company")
    assert [(r.key, r.label, r.open_total, r.on_account, r.overdue) for r in company] == [
        (None, "Company", D("2350.50"), D("50.00"), D("2050.50"))]
    assert total.balance == D("2300.50")


@rule("AR-3")
@pytest.mark.parametrize(("role", "balance"),
                         [("owner", "1500.50"), ("teammate", "0"), ("director", "1500.50"),
                                               ("outsider", "800.00"), ("manager", "2300.50"), ("finance",
                                                                                                "2300.50"),
                                               ("service", "0")])
def test_it_ages_only_the_users_scope(users, book, role, balance):
    _rows, total = selectors.ageing(users[role], by="customer")
    assert total.balance == D(balance)


@rule("AR-3")
def test_it_ages_only_the_customers_asked_for(users, customer, book):
    rows, total = selectors.ageing(users["gm"], by="customer", customer_ids=[customer.pk])
    assert [r.key for r in rows] == [customer.pk] and total.balance == D("1500.50")


@rule("AR-3")
@pytest.mark.parametrize(("overdue", "bucket"), [
    (-5, "current"), (0, "current"), (1, "d1_30"), (30, "d1_30"), (31, "d31_60"), (60, "d31_60"), (61,
                                                                                                   "d61_90"),
    (90, "d61_90"), (91, "d91_180"), (180, "d91_180"), (181, "over_180"), (400, "over_180")])
def test_it_puts_an_invoice_in_the_bucket_of_its_days_overdue(users, customer, overdue, bucket):
    invoice = imported_invoice(by=users["finance"], customer=customer, number="B-1", amount="123.45",
                               issued_on=days_ago(max(overdue, 0)), due_on=days_ago(overdue))
    _rows, total = selectors.ageing(users["gm"])
    assert buckets(total) == {bucket: D("123.45")}
    assert list(selectors.ageing_invoices(users["gm"], as_of=TODAY, bucket=bucket)) == [invoice]
    assert invoice.days_overdue(TODAY) == max(overdue, 0)


@rule("AR-3")
def test_it_drills_down_to_the_invoices_of_one_cell(users, customer, outsider_customer, book):
    def numbers(user="gm", **cell):
        return [i.number for i in selectors.ageing_invoices(users[user], **cell)]

    assert numbers(as_of=TODAY, bucket="d1_30") == ["I2", "J1"]  # by due date
    assert numbers(as_of=TODAY, bucket="d1_30", by="customer", key=customer.pk) == ["I2"]
    assert numbers(as_of=TODAY, bucket="d61_90", by="owner", key=users["owner"].pk) == ["I1"]
    assert numbers(as_of=TODAY) == ["I1", "I2", "J1", "I3"]
    assert numbers(as_of=days_ago(50)) == ["I4", "I1"]
    assert numbers(user="outsider", as_of=TODAY) == ["J1"]
    assert numbers(as_of=TODAY, bucket="nonsense", by="nonsense", key="x") == ["I1", "I2", "J1", "I3"]
    assert selectors.group_label(users["gm"], by="customer", key=customer.pk) == "上海恒丰商贸有限公司"
    assert selectors.group_label(users["owner"], by="customer", key=outsider_customer.pk) == ""


# --- AR-4: collection rate ------------------------------------------------------------------------------


@rule("AR-4")
def test_it_measures_what_was_collected_of_what_fell_due_in_a_period(users, customer, outsider_customer,
                                                                     book):
    rows, total = selectors.collection_rate(users["gm"], start=days_ago(30), end=TODAY, by="owner")
    # I2 (¥500, ¥100 collected) and J1 (¥800, its ¥200 reversed) fell due; I1, I3 and I4 did not.
    assert [(r.key, r.label, r.due, r.collected, r.rate) for r in rows] == [
        (users["outsider"].pk, "王芳", D("800.00"), D("0"), D("0.0")),
        (users["owner"].pk, "张伟", D("500.00"), D("100.00"), D("20.0"))]
    assert (total.due, total.collected, total.rate) == (D("1300.00"), D("100.00"), D("7.7"))


@rule("AR-4")
def test_it_counts_what_was_collected_by_the_end_of_the_period(users, customer, outsider_customer, book):
    rows, total = selectors.collection_rate(users["gm"], start=days_ago(30), end=days_ago(1), by="customer")
    assert [(r.key, r.due, r.collected, r.rate) for r in rows] == [
        (customer.pk, D("500.00"), D("100.00"), D("20.0")), (outsider_customer.pk, D("800.00"), D("200.00"),
                                                             D("25.0"))]
    assert total.rate == D("23.1")
    _rows, earlier = selectors.collection_rate(users["gm"], start=days_ago(30), end=days_ago(6), by="company")
    assert (earlier.due, earlier.collected, earlier.rate) == (D("1300.00"), D("0"), D("0.0"))


@rule("AR-4")
def test_it_gives_no_rate_where_nothing_fell_due(users, customer, book):
    rows, total = selectors.collection_rate(users["gm"], start=TODAY + timedelta(days=30),
                                            end=TODAY + timedelta(days=60),
                                            by="company")
    assert [(r.due, r.collected, r.rate) for r in rows] == [(D("0"), D("0"), None)]
    assert total.rate is None
    rows, _total = selectors.collection_rate(users["gm"], start=days_ago(80), end=days_ago(60), by="customer",
                                             customer_ids=[customer.pk])
    # I1 fell due then; what P1 settled of it came later
    assert [(r.key, r.due, r.collected, r.rate) for r in rows] == [(customer.pk, D("1000.00"), D("0"),
                                                                    D("0.0"))]


@rule("AR-4")
def test_it_takes_credit_notes_off_what_is_due_and_not_as_collections(users, customer, product):
    invoice = invoiced_order(customer=customer, product=product, quantity=10, due_on=days_ago(5))  # ¥1,000
    credited_return(order=invoice.order, quantities=[(0, 2)])  # ¥200 settles the invoice at once
    new_payment(customer=customer, amount="600", by=users["finance"], allocations=[(invoice, "600")])
    rows, total = selectors.collection_rate(users["owner"], start=days_ago(10), end=TODAY, by="customer")
    assert [(r.due, r.collected, r.rate) for r in rows] == [(D("800.00"), D("600.00"), D("75.0"))]
    assert total.rate == D("75.0")


@pytest.mark.parametrize(("day", "bounds"), [
    (date(2024, 2, 10), (date(2024, 2, 1), date(2024, 2, 29))),
    (date(2023, 2, 28), (date(2023, 2, 1), date(2023, 2, 28))),
    (date(2024, 12, 31), (date(2024, 12, 1), date(2024, 12, 31))),
    (date(2024, 4, 1), (date(2024, 4, 1), date(2024, 4, 30)))])
def test_it_gives_the_first_and_last_day_of_a_month(day, bounds):
    assert periods.month_bounds(day) == bounds


# --- for credit (CRD-3, CRD-4) ----------------------------------------------------------------------------


@rule("CRD-3")
def test_it_gives_credit_the_balance_and_how_late_the_oldest_open_invoice_is(customer, outsider_customer, book,
                                                                           django_assert_num_queries):
    with django_assert_num_queries(3):  # open invoices; receipts and credit notes on account
        position = selectors.receivables_position([customer.pk, outsider_customer.pk])
    assert position == {customer.pk: (D("1500.50"), 70), outsider_customer.pk: (D("800.00"), 10)}
    later = selectors.receivables_position([customer.pk, outsider_customer.pk],
                                           today=TODAY + timedelta(days=10))
    assert later == {customer.pk: (D("1500.50"), 80), outsider_customer.pk: (D("800.00"), 20)}


@rule("CRD-3")
def test_it_gives_a_customer_with_only_credit_a_negative_position(users, customer, outsider_customer):
    new_payment(customer=customer, amount="75.25", by=users["finance"])
    imported_invoice(by=users["finance"], customer=outsider_customer, number="F-1", amount="10", issued_on=TODAY,
                     due_on=TODAY + timedelta(days=30))
    assert selectors.receivables_position([customer.pk, outsider_customer.pk]) == {
        customer.pk: (D("-75.25"), 0), outsider_customer.pk: (D("10.00"), 0)}


@rule("AR-2")
@rule("CRD-4")
def test_it_counts_the_broken_promises_of_each_customer(users, customer, outsider_customer, book):
    builders.new_promise(customer=customer, by=users["owner"], promised_on=TODAY, amount="5000")
    builders.new_promise(customer=customer, by=users["owner"], promised_on=TODAY + timedelta(days=5), amount="100")
    builders.new_promise(customer=outsider_customer, by=users["outsider"], promised_on=TODAY, amount="100")
    assert selectors.broken_promises([customer.pk, outsider_customer.pk]) == {}
    services.collection_day(today=TODAY + timedelta(days=1))  # nothing was paid on the day
    assert selectors.broken_promises([customer.pk, outsider_customer.pk]) == {customer.pk: 1,
                                                                              outsider_customer.pk: 1}
    assert selectors.broken_promises([customer.pk]) == {customer.pk: 1}
    assert selectors.broken_promises([customer.pk], since=TODAY + timedelta(days=1)) == {}


# --- the dashboard's headline (AR-4) ---------------------------------------------------------------------


@pytest.fixture
def last_month(users, customer, product):
    """On the 15th of a month well past: ¥500 sold that month (and a draft), invoice A ¥1,000 due
    on the 5th with ¥400 collected on the 10th, invoice B ¥600 due the month before; the
    morning run made their visits."""
    start, _end = periods.month_bounds(days_ago(70))
    day = start + timedelta(days=14)
    confirmed_order(customer=customer, product=product, quantity=5, ordered_on=start + timedelta(days=2))
    draft_order(customer=customer, product=product, quantity=9, ordered_on=start + timedelta(days=3))
    a = imported_invoice(by=users["finance"], customer=customer, number="A", amount="1000",
                         issued_on=start - timedelta(days=20), due_on=start + timedelta(days=4))
    imported_invoice(by=users["finance"], customer=customer, number="B", amount="600",
                     issued_on=start - timedelta(days=40), due_on=start - timedelta(days=10))
    new_payment(customer=customer, amount="400", by=users["finance"], received_on=start + timedelta(days=9),
                allocations=[(a, "400")])
    services.collection_day(today=day)
    return day


@rule("AR-4")
@pytest.mark.parametrize("role", ["owner", "director", "gm", "finance"])
def test_it_puts_sales_and_collection_rate_side_by_side_with_what_is_overdue(users, last_month, role):
    headline = selectors.headline_for(users[role], today=last_month)
    assert (headline.sales, headline.rate.due, headline.rate.collected, headline.rate.rate, headline.overdue,
            headline.tasks_due, headline.promises_due, headline.collection_today) == (
        D("500.00"), D("1000.00"), D("400.00"), D("40.0"), D("1200.00"), 2, 0, 2)


@rule("AR-4")
def test_it_gives_an_empty_headline_outside_the_scope_and_none_to_service_staff(users, last_month):
    headline = selectors.headline_for(users["outsider"], today=last_month)
    assert (headline.sales, headline.rate.rate, headline.overdue, headline.collection_today) == (
        D("0"), None, D("0"), 0)
    assert selectors.headline_for(users["service"], today=last_month) is None


@rule("AR-1")
@pytest.mark.parametrize("role", ROLES)
def test_it_says_who_sees_collects_and_keeps_the_ledger(users, role):
    collectors = {"owner", "teammate", "outsider", "director", "other_director", "manager", "finance", "admin"}
    sees, collects, keeps = role != "service", role in collectors, role in {"finance", "admin"}
    assert tuple(user_can(users[role], cap) for cap in (SEE_RECEIVABLES, COLLECT, KEEP_LEDGER)) == (
        sees, collects, keeps)

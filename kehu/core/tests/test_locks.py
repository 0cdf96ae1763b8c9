"""Row locks in one global order (kehu/core/locks.py): every money service, run inside
`recording()`, takes its locks by rank (lower first) and, within one model, lower pk first;
and the one stale-edit contract of lock_versioned. The recording does not depend on the
database: on SQLite select_for_update is a no-op, yet every lock is noted all the same, so
these tests check the same order on SQLite and on PostgreSQL."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.utils import timezone, translation

from kehu.core import locks
from kehu.core.errors import StaleEdit
from kehu.core.models import Sequence
from kehu.credit import services as credit
from kehu.credit.models import CreditAccount, CreditPolicy, CreditRequest
from kehu.customers import services as customers
from kehu.customers.models import Category, Customer
from kehu.receivables import services as receivables
from kehu.receivables.models import Allocation, Invoice, Payment
from kehu.sales import services as sales
from kehu.sales.models import CreditNote, Order

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture(autouse=True)
def en():
    with translation.override("en"):
        yield


def assert_global_order(taken):
    """Ranks never go down; within one model the pks go up. A row the transaction already
    holds may be locked again (it costs no wait, so it cannot deadlock): only the first lock
    of each row counts."""
    assert taken, "the service took no row lock"
    seen, first = set(), []
    for rank, label, pk in taken:
        if (label, pk) not in seen:
            seen.add((label, pk))
            first.append((rank, label, pk))
    for before, after in zip(first, first[1:], strict=False):
        assert before[0] <= after[0], f"{after} locked after {before}: {first}"
        if before[0] == after[0] and before[1] == after[1]:
            assert before[2] < after[2], f"{after} locked after {before}: {first}"


def labels(taken):
    return [label for _rank, label, _pk in taken]


def order_for(users, customer, product, quantity):
    seller = customer.owner
    return sales.order_create(by=seller, customer=customer, lines=[{"product": product, "quantity": quantity}],
                              ordered_on=TODAY - timedelta(days=2))


def invoiced(users, customer, product, quantity):
    """An order of `quantity` × ¥100 confirmed, delivered and invoiced today."""
    CreditAccount.objects.update_or_create(customer=customer, defaults={"limit": Decimal("10000000")})
    CreditPolicy.current()
    seller = customer.owner
    order = order_for(users, customer, product, quantity)
    order = credit.order_confirm(by=seller, order=order, version=order.version)
    order = sales.order_advance(by=seller, order=order, version=order.version, to="delivered")
    order = receivables.order_invoice(by=users["finance"], order=order, version=order.version)
    return Invoice.objects.get(order=order)


def delivered(users, customer, product, quantity):
    CreditAccount.objects.update_or_create(customer=customer, defaults={"limit": Decimal("10000000")})
    seller = customer.owner
    order = order_for(users, customer, product, quantity)
    order = credit.order_confirm(by=seller, order=order, version=order.version)
    return sales.order_advance(by=seller, order=order, version=order.version, to="delivered")


# --- the recording --------------------------------------------------------------------------------------------

def test_every_lock_is_recorded_whatever_the_database(customer, outsider_customer):
    """select_for_update is a no-op on SQLite: the lock is noted all the same."""
    with transaction.atomic(), locks.recording() as taken:
        locks.lock(Customer, customer.pk)
        locks.lock_many(Customer, [outsider_customer.pk, customer.pk])
        locks.lock_where(Customer, pk=customer.pk)
    low, high = sorted([customer.pk, outsider_customer.pk])
    assert taken == [(10, "customers.Customer", customer.pk), (10, "customers.Customer", low),
                     (10, "customers.Customer", high), (10, "customers.Customer", customer.pk)], connection.vendor
    with transaction.atomic():
        locks.lock(Customer, customer.pk)  # outside recording(): nothing is collected, nothing fails


def test_the_ranks_follow_the_table():
    from kehu.credit.models import CreditCard
    from kehu.receivables.models import CollectionPlan, CollectionTask, Promise
    from kehu.sales.models import OrderLine, Product, Return

    assert {m._meta.label: locks.rank_of(m) for m in (
        Product, Customer, CreditAccount, CreditCard, CreditRequest, Order, OrderLine, Return, Invoice, Payment,
        CollectionTask, Promise, CollectionPlan, Sequence)} == {
        "sales.Product": 5, "customers.Customer": 10, "credit.CreditAccount": 20, "credit.CreditCard": 22,
        "credit.CreditRequest": 25, "sales.Order": 30, "sales.OrderLine": 31, "sales.Return": 35,
        "receivables.Invoice": 40, "receivables.Payment": 50, "receivables.CollectionTask": 60,
        "receivables.Promise": 60, "receivables.CollectionPlan": 60, "core.Sequence": 90}
    assert locks.rank_of(CreditNote) == locks.DEFAULT_RANK


# --- every money service in the global order -----------------------------------------------------------------

def test_payment_post_with_allocations_locks_the_customer_its_invoices_then_the_receipt_counter(
        users, customer, product):
    first, second = invoiced(users, customer, product, 2), invoiced(users, customer, product, 3)
    with locks.recording() as taken:
        receivables.payment_post(by=users["finance"], customer=customer, amount="400", method="transfer",
                                 allocations=[{"invoice": second.pk, "amount": "300"},
                                              {"invoice": first.pk, "amount": "100"}])
    assert_global_order(taken)
    assert labels(taken) == ["customers.Customer", "receivables.Invoice", "receivables.Invoice", "core.Sequence"]


def test_payment_allocate_locks_the_invoices_before_the_payment(users, customer, product):
    first, second = invoiced(users, customer, product, 2), invoiced(users, customer, product, 3)
    payment = receivables.payment_post(by=users["finance"], customer=customer, amount="200", method="transfer",
                                       allocations=[{"invoice": second.pk, "amount": "200"}])
    with locks.recording() as taken:
        receivables.payment_allocate(by=users["finance"], payment=payment,
                                     allocations=[{"invoice": first.pk, "amount": "200"}])
    assert_global_order(taken)
    assert labels(taken) == ["customers.Customer", "receivables.Invoice", "receivables.Invoice", "receivables.Payment"]
    assert Allocation.objects.get(payment=payment, withdrawn_on__isnull=True).invoice == first


def test_payment_reverse_locks_the_invoices_before_the_payment(users, customer, product):
    first, second = invoiced(users, customer, product, 2), invoiced(users, customer, product, 3)
    payment = receivables.payment_post(by=users["finance"], customer=customer, amount="500", method="transfer")
    with locks.recording() as taken:
        receivables.payment_reverse(by=users["finance"], payment=payment, reason="退票")
    assert_global_order(taken)
    assert labels(taken) == ["customers.Customer", "receivables.Invoice", "receivables.Invoice", "receivables.Payment"]
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.open_amount, second.open_amount) == (Decimal("200.00"), Decimal("300.00"))


def test_order_confirm_locks_the_credit_account_the_override_then_the_order(users, customer, product, thresholds):
    CreditAccount.objects.update_or_create(customer=customer, defaults={"limit": Decimal("100")})
    CreditPolicy.current()
    order = order_for(users, customer, product, 5)
    request = credit.credit_override_request(by=users["owner"], order=order, reasons="老客户")
    credit.credit_request_decide(by=users["director"], request=request, approve=True, comment="同意")
    order.refresh_from_db()
    with locks.recording() as taken:
        credit.order_confirm(by=users["owner"], order=order, version=order.version)
    assert_global_order(taken)
    assert labels(taken) == ["credit.CreditAccount", "credit.CreditRequest", "sales.Order"]
    assert CreditRequest.objects.get(pk=request.pk).used_at is not None


def test_order_invoice_locks_the_customer_before_the_order(users, customer, product):
    on_account = receivables.payment_post(by=users["finance"], customer=customer, amount="50", method="transfer")
    order = delivered(users, customer, product, 2)
    with locks.recording() as taken:
        receivables.order_invoice(by=users["finance"], order=order, version=order.version)
    assert_global_order(taken)
    assert labels(taken) == ["customers.Customer", "sales.Order", "receivables.Payment", "core.Sequence"]
    on_account.refresh_from_db()
    assert (on_account.unallocated, Invoice.objects.get(order=order).open_amount) == (Decimal("0"), Decimal("150.00"))


def test_return_record_with_a_credit_note_locks_the_customer_first_and_the_counters_last(users, customer, product):
    invoiced(users, customer, product, 2)
    invoice = invoiced(users, customer, product, 5)
    order = invoice.order
    line = order.lines.get()
    with locks.recording() as taken:
        receivables.return_record(by=users["owner"], order=order, version=order.version, kind="returned",
                                  reason="defect", responsible="生产部", lines=[{"order_line": line.pk, "quantity": "2"}])
    assert_global_order(taken)
    first = list(dict.fromkeys((label, pk) for _rank, label, pk in taken))
    assert [label for label, _pk in first] == [
        "customers.Customer", "sales.Order", "sales.OrderLine", "receivables.Invoice", "receivables.Invoice",
        "core.Sequence", "core.Sequence"]
    invoice.refresh_from_db()
    assert (CreditNote.objects.get().amount, invoice.credited) == (Decimal("200.00"), Decimal("200.00"))


def test_credit_request_decide_locks_the_credit_account_before_the_request(users, customer, thresholds):
    CreditAccount.objects.get_or_create(customer=customer)
    request = credit.credit_limit_request(by=users["owner"], customer=customer, amount="50000", reasons="老客户")
    with locks.recording() as taken:
        credit.credit_request_decide(by=users["director"], request=request, approve=True, comment="同意")
    assert_global_order(taken)
    assert labels(taken) == ["credit.CreditAccount", "credit.CreditRequest"]
    assert CreditAccount.objects.get(customer=customer).limit == Decimal("50000.00")


def test_customers_reassign_locks_the_customers_lower_pk_first(users, customer):
    others = [customers.customer_create(by=users["owner"], data={"name": f"测试商店{n}", "category": Category.KEY_RETAILER,
                                                                   "phone": f"021-5555 01{n}0"},
                                        on_duplicate="keep_both") for n in range(3)]
    ids = [c.pk for c in reversed([customer, *others])]
    with locks.recording() as taken:
        customers.customers_reassign(by=users["director"], customer_ids=ids, to_owner=users["teammate"],
                                     reason="离职交接")
    assert_global_order(taken)
    assert [pk for _rank, _label, pk in taken] == sorted(ids)
    assert set(Customer.objects.filter(pk__in=ids).values_list("owner", flat=True)) == {users["teammate"].pk}


# --- the one stale-edit contract ---------------------------------------------------------------------------------

def test_lock_versioned_refuses_a_missing_or_stale_version_and_changes_nothing(users, customer):
    with transaction.atomic():
        assert locks.lock_versioned(Customer, customer.pk, version=customer.version) == customer
    for version in (None, customer.version + 1, customer.version - 1):
        with pytest.raises(StaleEdit, match="was changed by someone else"), transaction.atomic():
            locks.lock_versioned(Customer, customer.pk, version=version)
    with pytest.raises(StaleEdit) as refused, transaction.atomic():
        locks.lock_versioned(Customer, customer.pk, version=None, stale=lambda row: f"{row.code} changed")
    assert refused.value.message == f"{customer.code} changed"


@pytest.mark.parametrize("version", [None, "stale"])
def test_every_versioned_service_refuses_a_missing_or_stale_version_and_changes_nothing(users, customer, product,
                                                                                        version):
    order = order_for(users, customer, product, 2)
    card = credit.credit_card_save(by=users["owner"], customer=customer, version=None,
                                   data={"payment_attitude": "prompt"})
    stale = {"customer": customer.version - 1, "product": product.version - 1, "order": order.version - 1,
             "card": card.version - 1}
    given = {k: None if version is None else v for k, v in stale.items()}
    def state():
        return (Customer.objects.values_list("name", "version").get(pk=customer.pk),
                type(product).objects.values_list("name", "version").get(pk=product.pk),
                Order.objects.values_list("status", "version").get(pk=order.pk),
                type(card).objects.values_list("payment_attitude", "version").get(pk=card.pk),
                CreditRequest.objects.count())

    before = state()
    refusals = [
        lambda: customers.customer_update(by=users["owner"], customer=customer, version=given["customer"],
                                          data={"name": "改名"}),
        lambda: sales.product_save(by=users["admin"], product=product, version=given["product"],
                                   data={"name": "改名"}),
        lambda: sales.order_advance(by=users["owner"], order=order, version=given["order"], to="cancelled",
                                    reason="客户取消"),
        lambda: credit.order_confirm(by=users["owner"], order=order, version=given["order"]),
        lambda: credit.credit_card_save(by=users["owner"], customer=customer, version=given["card"],
                                        data={"payment_attitude": "difficult"}),
    ]
    for refuse in refusals:
        with pytest.raises(StaleEdit):
            refuse()
    assert state() == before


def test_a_new_credit_card_is_created_without_a_version_or_with_version_0(users, customer, outsider_customer):
    assert credit.credit_card_save(by=users["owner"], customer=customer, version=None, data={}).version == 1
    assert credit.credit_card_save(by=users["outsider"], customer=outsider_customer, version=0, data={}).version == 1
    with pytest.raises(StaleEdit):  # created meanwhile by someone else: the form's 0 is stale
        credit.credit_card_save(by=users["owner"], customer=customer, version=0, data={})

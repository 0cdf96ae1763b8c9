"""Scale-out (issue 17, docs/deploy.md): two app nodes (A and B) behind no balancer but this
test, which sends each request to the node it chooses, and two workers, all on one PostgreSQL
and one Redis. What one node does, the other sees at once; what the database must allow once
is done once, whichever node or worker asks; a node killed mid-stream loses nothing it
acknowledged.

These checks fail when the cache falls back to per-process memory or the queue to a file per
machine (`KEHU_SCALE_FALLBACK=1 scripts/test-scale.sh` shows it)."""

import os
import re
import signal
import threading
from datetime import timedelta
from decimal import Decimal

from django.db import close_old_connections
from django.db.models import Sum
from django.utils import timezone

from conftest import rule
from scale.http import wait_for

A, B = 0, 1
ZERO = Decimal("0.00")
TODAY = timezone.localdate()
BADGE = re.compile(r'id="reminders-waiting">(\d+)<')
COUNT = re.compile(r'id="result-count">(\d+)<')
TOTAL_OPEN = re.compile(r'id="total-open">([^<]*)<')


def at_once(work, arguments) -> list:
    """work(argument) in a thread each, all released together: what each returned."""
    start = threading.Barrier(len(arguments))
    outcomes = [None] * len(arguments)

    def run(n, argument):
        start.wait()
        try:
            outcomes[n] = work(argument)
        except Exception as exc:  # a request that failed is an outcome of its own
            outcomes[n] = exc

    threads = [threading.Thread(target=run, args=(n, a)) for n, a in enumerate(arguments)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


def a_customer(world, name: str, **credit):
    from kehu.customers.tests.builders import new_customer
    from kehu.sales.tests.builders import credit_limit

    customer = new_customer(by=world["seller"], name=f"{name}{world['tag']}", phone="021-5555 0101",
                            on_duplicate="keep_both")
    credit_limit(customer, credit.get("limit", "10000000"))
    return customer


def ledger_holds(customer) -> None:
    """Every invoice's open amount and every payment's unallocated amount agree with the
    allocations that stand; the receipt book of the office runs 1, 2, 3 … without a gap."""
    from kehu.receivables.models import Invoice, Payment

    for invoice in Invoice.objects.filter(customer=customer):
        standing = invoice.allocations.filter(withdrawn_on__isnull=True).aggregate(s=Sum("amount"))["s"] or ZERO
        assert invoice.open_amount == invoice.amount - standing >= 0, invoice.number
    for payment in Payment.objects.filter(customer=customer):
        standing = payment.allocations.filter(withdrawn_on__isnull=True).aggregate(s=Sum("amount"))["s"] or ZERO
        assert payment.unallocated == payment.amount - standing >= 0, payment.number
    serials = sorted(Payment.objects.filter(office=customer.office).values_list("serial", flat=True))
    assert serials == list(range(1, len(serials) + 1))


def one(pattern, reply) -> str | None:
    assert reply.status == 200, (reply.status, reply.body[:300])
    found = pattern.search(reply.text)
    return found.group(1) if found else None


@rule("PLT-1")
def test_a_user_signed_in_on_node_a_keeps_working_on_node_b(world, login):
    """Sessions are in the shared database: signed in on A, the user reads and writes on B
    with the same cookies, and signing out on B ends the session on A too."""
    browser = login(world["seller"], node=A)
    page = browser.get("/customers/", node=B)
    assert page.status == 200 and "/accounts/login/" not in page.headers.get("Location", "")
    created = browser.send_json("POST", "/api/v1/customers/", {
        "name": f"会话客户{world['tag']}", "category": "agent", "phone": "021-5555 0102"}, node=B)
    assert created.status == 201, created.body[:300]
    assert browser.get_json(f"/api/v1/customers/{created.json()['id']}/", node=A).status == 200
    assert browser.post_form("/accounts/logout/", {}, node=B).status == 302
    assert browser.get("/customers/", node=A).status == 302  # back to the login page


@rule("PLT-1")
@rule("PLT-4")
def test_a_change_on_node_a_shows_on_node_b_at_once(world, login):
    """Node B has read (and cached) a list's count, the open total of the invoice list and the
    unread badge; node A renames a customer, adds one, posts a payment and marks a reminder
    read; node B's very next pages show all of it — no cache of a single node in the way."""
    from kehu.receivables.tests.builders import imported_invoice
    from kehu.reminders.services import notify

    seller, finance = world["seller"], world["finance"]
    tag = f"zq{world['tag']}"  # in the names of this test's customers only
    customer = a_customer(world, f"恒丰商贸{tag}")
    imported_invoice(by=finance, customer=customer, number=f"SC-{tag}", amount="500.00",
                     issued_on=TODAY - timedelta(days=10))
    reminders = [notify(recipient=seller, kind="scale", title=f"提醒{n}") for n in range(2)]
    as_seller, as_finance = login(seller, node=A), login(finance, node=A)
    customers = f"/customers/?q={tag}"
    invoices = f"/receivables/invoices/?status=open&customer={customer.code}"
    for _ in range(8):  # every web worker of node B reads and keeps what it read
        assert one(COUNT, as_seller.get(customers, node=B)) == "1"
        assert one(BADGE, as_seller.get("/customers/", node=B)) == "2", "node B kept a stale unread count"
        assert "500.00" in one(TOTAL_OPEN, as_finance.get(invoices, node=B))

    card = as_seller.get_json(f"/api/v1/customers/{customer.pk}/", node=A).json()
    renamed = as_seller.send_json("PATCH", f"/api/v1/customers/{customer.pk}/",
                                  {"name": f"恒丰新名{tag}", "version": card["version"]}, node=A)
    assert renamed.status == 200, renamed.body[:300]
    added = as_seller.send_json("POST", "/api/v1/customers/", {
        "name": f"新增客户{tag}", "category": "agent", "phone": "021-5555 0103"}, node=A)
    assert added.status == 201, added.body[:300]
    assert as_seller.post_form(f"/reminders/{reminders[0].pk}/read/", {}, node=A).status == 302
    paid = as_finance.send_json("POST", "/api/v1/payments/", {
        "customer": customer.pk, "amount": "200.00", "method": "cash"}, node=A)
    assert paid.status == 201, paid.body[:300]

    for _ in range(8):
        listed = as_seller.get(customers, node=B)
        assert one(COUNT, listed) == "2" and f"恒丰新名{tag}" in listed.text
        assert as_seller.get_json(f"/api/v1/customers/?q={tag}", node=B).json()["count"] == 2
        assert one(BADGE, as_seller.get("/customers/", node=B)) == "1", "node B kept a stale unread count"
        assert "300.00" in one(TOTAL_OPEN, as_finance.get(invoices, node=B)), "node B kept stale totals"


@rule("CRD-3")
def test_twenty_confirmations_split_over_both_nodes_never_exceed_the_limit(world, login):
    """A limit of ¥1,000 and twenty drafts of ¥100 confirmed at the same moment, half through
    each node: ten are confirmed, ten refused as over the limit, never an eleventh."""
    from kehu.credit.selectors import exposure_of
    from kehu.sales.models import Order
    from kehu.sales.tests.builders import draft_order

    customer = a_customer(world, "限额商店", limit="1000.00")
    drafts = [draft_order(customer=customer, product=world["product"], quantity=1) for _ in range(20)]
    browsers = [login(world["seller"], node=n % 2) for n in range(2)]

    def confirm(n):
        order = drafts[n]
        return browsers[n % 2].send_json("POST", f"/api/v1/orders/{order.pk}/confirm/", {"version": order.version},
                                         node=n % 2)

    replies = at_once(confirm, list(range(20)))
    statuses = sorted(r.status for r in replies)
    assert statuses == [200] * 10 + [409] * 10, [(r.status, r.body[:120]) for r in replies]
    assert {r.json()["code"] for r in replies if r.status == 409} == {"credit_over_limit"}
    confirmed = Order.objects.filter(customer=customer, status=Order.Status.CONFIRMED)
    assert confirmed.count() == 10
    assert exposure_of(customer).total == Decimal("1000.00")


@rule("AR-1")
def test_fifty_payments_split_over_both_nodes_settle_one_invoice_once(world, login):
    """Fifty payments of ¥100 for a customer who owes one invoice of ¥100, posted at the same
    moment through both nodes: all are received, the first settles the invoice, the other
    forty-nine stay unallocated — the invoice is never settled twice."""
    from kehu.receivables.models import Allocation, Invoice, Payment
    from kehu.receivables.tests.builders import imported_invoice

    customer = a_customer(world, "付款商店")
    invoice = imported_invoice(by=world["finance"], customer=customer, number=f"PAY-{world['tag']}",
                               amount="100.00", issued_on=TODAY - timedelta(days=5))
    browsers = [login(world["finance"], node=n) for n in (A, B)]
    replies = at_once(lambda n: browsers[n % 2].send_json("POST", "/api/v1/payments/", {
        "customer": customer.pk, "amount": "100.00", "method": "cash"}, node=n % 2), list(range(50)))
    assert sorted(r.status for r in replies) == [201] * 50, [(r.status, r.body[:120]) for r in replies]
    invoice = Invoice.objects.get(pk=invoice.pk)
    assert invoice.open_amount == ZERO
    standing = Allocation.objects.filter(invoice=invoice, withdrawn_on__isnull=True)
    assert standing.count() == 1 and standing.get().amount == Decimal("100.00")
    assert Payment.objects.filter(customer=customer).count() == 50
    assert Payment.objects.filter(customer=customer).aggregate(s=Sum("unallocated"))["s"] == Decimal("4900.00")
    ledger_holds(customer)


@rule("PLT-4")
@rule("AR-2")
def test_each_periodic_task_runs_once_per_period_with_two_workers(world, workers):
    """Every worker's scheduler queues every periodic task: here each is queued six times into
    the shared queue, where both workers take them. One run of each claims its period (the
    morning collection run: the day) and does the work; the five others find it claimed."""
    from kehu.core.models import PeriodicRun
    from kehu.core.periodic import periodic_tasks
    from kehu.receivables.models import CollectionTask
    from kehu.receivables.tests.builders import imported_invoice

    customer = a_customer(world, "催收商店")
    due = imported_invoice(by=world["finance"], customer=customer, number=f"DUE-{world['tag']}", amount="300.00",
                           issued_on=TODAY - timedelta(days=60), due_on=TODAY)
    schedule = periodic_tasks()
    assert {"collection_morning", "purge_job_files", "retry_deliveries"} <= {t.func.__name__ for t in schedule}
    copies = 6
    for task in schedule:
        name, period_of = task.func.claim_name, task.func.period_of
        for _attempt in range(3):  # again if the period ended while its copies ran
            period = period_of(timezone.localtime())
            PeriodicRun.objects.filter(task=name, period=period).delete()
            for _ in range(copies):
                task()
            close_old_connections()
            run = wait_for(lambda: PeriodicRun.objects.filter(task=name, period=period,  # noqa: B023
                                                              skipped__gte=copies - 1).first(),
                           f"{copies} runs of {name}", seconds=60)
            if period_of(timezone.localtime()) == period:
                break
        assert PeriodicRun.objects.filter(task=name, period=period).count() == 1
        # Six copies, one run; a worker's own scheduler may have queued two more meanwhile.
        assert run.skipped in (copies - 1, copies + 1), (name, run.skipped)
        assert int(run.worker.rsplit(":", 1)[1]) in workers, (run.worker, workers)
    assert CollectionTask.objects.filter(invoice=due).count() == 1  # the visit of the day, made once


@rule("AR-1")
def test_a_node_killed_mid_stream_of_payments_loses_nothing_acknowledged(world, login, spare_node):
    """Payments stream over node A and a third node C; C is killed with SIGKILL (master and
    workers) after ten receipts; the stream goes on through A. Every payment answered 201 is
    in the ledger, at most the one in flight on C when it died is there unanswered, and the
    receipt book has no gap."""
    from kehu.receivables.models import Payment
    from kehu.receivables.tests.builders import imported_invoice

    port_c, node_c = spare_node
    customer = a_customer(world, "宕机商店")
    for n in range(3):
        imported_invoice(by=world["finance"], customer=customer, number=f"K{n}-{world['tag']}", amount="50.00",
                         issued_on=TODAY - timedelta(days=40 - n))
    browser = login(world["finance"], node=A)
    acknowledged, failures, dead = [], [], threading.Event()

    def stream():
        n = 0
        while len(acknowledged) < 40 and len(failures) < 200:
            n += 1
            to_c = n % 2 == 0 and not dead.is_set()
            try:
                reply = browser.send_json("POST", "/api/v1/payments/", {
                    "customer": customer.pk, "amount": "3.00", "method": "cash"},
                    **({"port": port_c} if to_c else {"node": A}))
            except OSError as exc:  # the node died under this request: not acknowledged
                failures.append(repr(exc))
                continue
            if reply.status == 201:
                acknowledged.append(reply.json()["number"])
            else:
                failures.append(reply.status)

    thread = threading.Thread(target=stream)
    thread.start()
    wait_for(lambda: len(acknowledged) >= 10, "ten payments")
    os.killpg(node_c.pid, signal.SIGKILL)
    node_c.wait()
    dead.set()  # the balancer takes C out after its first failure
    thread.join(120)
    assert len(acknowledged) >= 40, (acknowledged, failures)
    numbers = set(Payment.objects.filter(customer=customer).values_list("number", flat=True))
    assert set(acknowledged) <= numbers
    assert len(numbers) - len(acknowledged) <= 1  # at most the one in flight when C was killed
    ledger_holds(customer)


@rule("INS-2")
@rule("PLT-4")
def test_a_large_import_sent_to_node_a_is_run_by_a_worker_and_followed_on_node_b(world, login):
    """An invoice import over KEHU_JOB_INLINE_BYTES is a background job: node A keeps its
    file in the shared job directory and queues it; whichever worker takes it reads the file;
    its progress and result are read on node B."""
    from kehu.receivables.models import Invoice

    customer = a_customer(world, "导入商店")
    rows = [{"customer": customer.code, "number": f"IMP-{world['tag']}-{n:05d}", "issued_on": "2025-11-03",
             "amount": "10.00"} for n in range(2000)]
    browser = login(world["finance"], node=A)
    started = browser.send_json("POST", "/api/v1/invoices/import/", {"rows": rows}, node=A)
    assert started.status == 202, started.body[:300]
    url = f"/api/v1/jobs/{started.json()['id']}/"
    done = wait_for(lambda: (lambda body: body if body["status"] in ("done", "failed") else None)(
        browser.get_json(url, node=B).json()), "the import to be run by a worker", seconds=120)
    assert (done["status"], done["result"]["counts"]["created"]) == ("done", 2000), done
    assert Invoice.objects.filter(customer=customer).count() == 2000

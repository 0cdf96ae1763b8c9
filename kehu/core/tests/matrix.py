"""The permission matrix's vocabulary (test_permission_matrix.py): a `Route` names a URL, how
to build the record it is about for a customer of the Shanghai office (owned by `owner`) or
one of the Hangzhou office (owned by `outsider`), the request to make, and what the request
takes. The status each role gets is not written down: `expected` computes it from the
capability table (kehu.core.capabilities) and from who sees which office (core.scopes).

Each app lists its routes in `kehu/<app>/tests/routes.py`; the builders below make the
records those lists need through the services, as a user would.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from kehu.core.capabilities import Capability

ROLES = ["owner", "teammate", "outsider", "director", "other_director", "manager", "vp", "gm", "service",
         "finance", "admin"]
# Who sees the records of each office's customer (core.scopes): own / office subtree / all.
SEES = {
    "shanghai": frozenset({"owner", "director", "manager", "vp", "gm", "service", "finance", "admin"}),
    "hangzhou": frozenset({"outsider", "other_director", "manager", "vp", "gm", "service", "finance", "admin"}),
}


@dataclass(frozen=True)
class Side:
    """One of the two customers: its office, the salesperson who owns it and the director
    who signs first for it (CRD-2)."""

    office: str
    customer: Any
    who: str
    director: str

    @property
    def sees(self) -> frozenset[str]:
        return SEES[self.office]


@dataclass(frozen=True)
class Ctx:
    users: dict
    product: Any
    customer: Any  # the Shanghai customer, for routes that are about no customer in particular


Made = dict[str, Any]


def _id_args(made: Made) -> list:
    return [made["pk"]] if "pk" in made else []


@dataclass(frozen=True)
class Route:
    """One request of the matrix.

    `make(ctx, side)` builds the records (its "pk" is the URL's id unless `args` says
    otherwise); `scoped=False` routes are about no customer and run once, without a scope.
    `gate` is what a role must hold before its scope is even looked at (receivables: money is
    not after-sales service's function, 403 anywhere); `needs` what it must hold for a record
    in its scope; `who`, when given, narrows the role further (the awaited signer; the owner of
    a background job, whom no one else knows of: `not_who=404`). `state`
    reads what the request would change: a refused request must leave it as it was, an
    allowed one must change it (unless `changes=False`: a form sent back with its errors)."""

    name: str
    make: Callable[[Ctx, Side | None], Made] | None = None
    method: str = "get"
    args: Callable[[Made], list] = _id_args
    query: Callable[[Made], dict] | None = None
    data: dict | Callable[[Made], dict] | None = None
    gate: tuple[Capability, ...] = ()
    needs: tuple[Capability, ...] = ()
    who: Callable[[str, Side], bool] | None = None
    ok: int = 200
    outside: int = 404
    not_who: int = 403  # the status when `who` says no (404: a record only its owner knows of)
    scoped: bool = True
    state: Callable[[Made], Any] | None = None
    changes: bool = True
    public: bool = False  # answers everyone alike, signed in or not (/healthz of the load balancer)
    rule: str = "PLT-2"
    note: str = ""

    @property
    def label(self) -> str:
        return " ".join(filter(None, (self.name, self.method.upper(), "?query" if self.query else "", self.note)))

    def body(self, made: Made) -> dict | None:
        return self.data(made) if callable(self.data) else self.data


def holds(user, capabilities) -> bool:
    """Whether the role holds every one of the capabilities, read from the table."""
    return all(user.is_superuser or user.role in capability.roles for capability in capabilities)


def expected(route: Route, role: str, user, side: Side | None) -> tuple[int, bool]:
    """The status the role gets, and whether the request is let through."""
    if route.public:
        return route.ok, True
    if not holds(user, route.gate):
        return 403, False
    if side is not None and role not in side.sees:
        return route.outside, False
    if route.who is not None and not route.who(role, side):
        return route.not_who, False
    if not holds(user, route.needs):
        return 403, False
    return route.ok, True


# --- builders -------------------------------------------------------------------------------------------------

def today():
    return timezone.localdate()


def day(offset: int) -> str:
    return (today() + timedelta(days=offset)).isoformat()


def _owner(ctx: Ctx, side: Side | None):
    return ctx.users[side.who if side else "owner"]


def _customer(ctx: Ctx, side: Side | None):
    return side.customer if side else ctx.customer


def customer_ref(ctx: Ctx, side: Side | None) -> Made:
    """The customer named in the body or the query string (no id in the URL)."""
    customer = _customer(ctx, side)
    return {"customer": customer.pk, "code": customer.code, "product": ctx.product.pk}


def card(ctx: Ctx, side: Side | None) -> Made:
    """The customer's own URL."""
    customer = _customer(ctx, side)
    customer.refresh_from_db()
    return {"pk": customer.pk, "version": customer.version}


def person(ctx: Ctx, side: Side | None) -> Made:
    customer = _customer(ctx, side)
    someone = customer.key_people.create(role="seller", name="店员甲")
    return {"pk": someone.pk, "customer": customer.pk, "version": someone.version}


def _order(order) -> Made:
    order.refresh_from_db()
    return {"pk": order.pk, "version": order.version, "order": order}


def _draft(ctx: Ctx, side: Side | None):
    from kehu.credit.models import CreditAccount
    from kehu.sales import services as sales

    customer = _customer(ctx, side)
    CreditAccount.objects.update_or_create(customer=customer, defaults={"limit": Decimal("10000000")})
    return sales.order_create(by=_owner(ctx, side), customer=customer, lines=[{"product": ctx.product, "quantity": 2}])


def draft(ctx: Ctx, side: Side | None) -> Made:
    return _order(_draft(ctx, side))


def confirmed(ctx: Ctx, side: Side | None) -> Made:
    from kehu.credit import services as credit

    order = _draft(ctx, side)
    return _order(credit.order_confirm(by=_owner(ctx, side), order=order, version=order.version))


def delivered(ctx: Ctx, side: Side | None) -> Made:
    from kehu.sales import services as sales

    order = confirmed(ctx, side)["order"]
    order = sales.order_advance(by=_owner(ctx, side), order=order, version=order.version, to="delivered")
    made = _order(order)
    made["line"] = order.lines.get().pk
    return made


def invoiced(ctx: Ctx, side: Side | None) -> Made:
    """An invoiced order; "invoice" is its invoice (¥200, due in 30 days)."""
    from kehu.receivables import services as receivables
    from kehu.receivables.models import Invoice

    order = delivered(ctx, side)["order"]
    receivables.order_invoice(by=ctx.users["finance"], order=order, version=order.version, on=today())
    made = _order(order)
    made["invoice"] = Invoice.objects.get(order=order).pk
    return made


def settled(ctx: Ctx, side: Side | None) -> Made:
    """An invoiced order whose invoice is paid in full: it may be closed (AR-1)."""
    from kehu.receivables import services as receivables

    made = invoiced(ctx, side)
    order = made["order"]
    receivables.payment_post(by=ctx.users["finance"], customer=order.customer_id, amount=order.net, method="transfer",
                             allocations=[{"invoice": made["invoice"], "amount": str(order.net)}])
    return made


def invoice(ctx: Ctx, side: Side | None) -> Made:
    return {"pk": invoiced(ctx, side)["invoice"]}


def a_return(ctx: Ctx, side: Side | None) -> Made:
    from kehu.sales import services as sales

    made = delivered(ctx, side)
    ret = sales.return_record(by=_owner(ctx, side), order=made["order"], version=made["version"], kind="returned",
                              reason="defect", responsible="厂家", lines=[{"order_line": made["line"], "quantity": 1}])
    return {"pk": ret.pk}


def payment(ctx: Ctx, side: Side | None) -> Made:
    """¥50 received and kept on account: nothing is open to apply it to."""
    from kehu.receivables import services as receivables

    paid = receivables.payment_post(by=_owner(ctx, side), customer=_customer(ctx, side), amount="50",
                                    method="cash", allocations=[])
    return {"pk": paid.pk}


def payment_and_invoice(ctx: Ctx, side: Side | None) -> Made:
    """¥50 on account and an open invoice to apply it to."""
    made = payment(ctx, side)
    made["invoice"] = invoiced(ctx, side)["invoice"]
    return made


def promise(ctx: Ctx, side: Side | None) -> Made:
    from kehu.receivables import services as receivables

    promised = receivables.attempt_log(by=_owner(ctx, side), customer=_customer(ctx, side), channel="call",
                                       outcome="promised", promised_on=today() + timedelta(days=3),
                                       promised_amount="500").promise
    return {"pk": promised.pk}


def plan(ctx: Ctx, side: Side | None) -> Made:
    from kehu.receivables import services as receivables

    order = confirmed(ctx, side)["order"]
    made = receivables.plan_create(by=_owner(ctx, side), order=order,
                                   instalments=[{"due_on": today() + timedelta(days=30), "amount": "200"}])
    return {"pk": made.pk}


def limit_request(ctx: Ctx, side: Side | None) -> Made:
    """A pending limit request of ¥50,000 (the office director signs it alone), asked by the owner."""
    from kehu.credit import services as credit

    asked = credit.credit_limit_request(by=_owner(ctx, side), customer=_customer(ctx, side), amount="50000",
                                        reasons="正常经营")
    return {"pk": asked.pk}


def override_request(ctx: Ctx, side: Side | None) -> Made:
    """A pending one-off override of a draft order, asked by the owner."""
    from kehu.credit import services as credit

    asked = credit.credit_override_request(by=_owner(ctx, side), order=_draft(ctx, side), reasons="急单")
    return {"pk": asked.pk}


def ledger_state(_made: Made = None):
    """Every figure of the ledger a refused (or empty) request must leave as it was."""
    from kehu.receivables.models import Allocation, CollectionPlan, Instalment, Invoice, Payment, Promise

    return (sorted(Invoice.objects.values_list("pk", "open_amount", "credited")),
            sorted(Payment.objects.values_list("pk", "unallocated", "reversed_on")),
            sorted(Allocation.objects.values_list("pk", "amount", "withdrawn_on")),
            sorted(Promise.objects.values_list("pk", "status")),
            sorted(CollectionPlan.objects.values_list("pk", "status")),
            sorted(Instalment.objects.values_list("pk", "status")))


def order_status(made: Made) -> str:
    from kehu.sales.models import Order

    return Order.objects.get(pk=made["pk"]).status


def count(model_path: str) -> Callable[[Made], int]:
    """How many records of "app.Model" there are."""
    from django.apps import apps

    def counted(_made: Made) -> int:
        return apps.get_model(model_path).objects.count()

    return counted

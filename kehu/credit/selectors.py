"""Reads of credit: exposure (CRD-3), approval queues (CRD-2), grade vs behaviour (CRD-4)."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db.models import F, Prefetch, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils.translation import gettext as _

from kehu.core.access import get_for_user
from kehu.core.money import ZERO
from kehu.core.scopes import scope_of, scope_queryset
from kehu.credit import rules
from kehu.credit.models import (
    CHAIN,
    LEVEL_ROLE,
    ApprovalThreshold,
    CreditAccount,
    CreditApproval,
    CreditCard,
    CreditPolicy,
    CreditRequest,
    DiscountAllowance,
)
from kehu.customers.selectors import customers_visible_to
from kehu.receivables.selectors import Position, broken_promises, receivables_figures, receivables_position
from kehu.sales.models import Order, OrderLine
from kehu.sales.selectors import uninvoiced_order_amounts

# --- receivables (AR-1): read from the receivables app ----------------------------------------------

def overdue_days(customer_ids, *, today: date | None = None) -> dict[int, int]:
    """Per customer with something overdue: the days the oldest open invoice is late."""
    return {pk: late for pk, (_amount, late) in receivables_position(customer_ids, today=today).items() if late}


# --- exposure ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Exposure:
    limit: Decimal
    receivables: Decimal
    open_orders: Decimal
    overdue_days: int
    overdue: Decimal = ZERO  # the open amount past its due date (the 360° page's header)

    @property
    def total(self) -> Decimal:
        return self.receivables + self.open_orders

    @property
    def available(self) -> Decimal:
        return self.limit - self.total


def exposure_of(customer, *, exclude_order=None, limit: Decimal | None = None) -> Exposure:
    """CRD-3: exposure = unpaid receivables + confirmed orders not yet invoiced. `limit`,
    when the caller already holds it (the locked credit row), saves reading it again."""
    limits = None if limit is None else {customer.pk: limit}
    return exposures_of([customer], exclude_order=exclude_order, limits=limits)[customer.pk]


def exposures_of(customers, *, exclude_order=None, limits: dict | None = None) -> dict[int, Exposure]:
    """exposure_of for many customers at once (the approval queue), in a fixed number of
    queries whatever the number of customers."""
    ids = [c.pk for c in customers]
    if not ids:
        return {}
    if limits is None:
        limits = dict(CreditAccount.objects.filter(customer_id__in=ids).values_list("customer_id", "limit"))
    position = receivables_figures(ids)
    open_orders = uninvoiced_order_amounts(ids, exclude_order=exclude_order)
    nothing = Position(ZERO, 0, ZERO)
    return {pk: Exposure(limit=limits.get(pk, ZERO), receivables=position.get(pk, nothing).balance,
                         open_orders=open_orders.get(pk, ZERO), overdue_days=position.get(pk, nothing).late,
                         overdue=position.get(pk, nothing).overdue)
            for pk in ids}


def credit_account_of(customer) -> CreditAccount | None:
    return CreditAccount.objects.filter(customer=customer).first()


def credit_card_of(customer) -> CreditCard | None:
    return CreditCard.objects.filter(customer=customer).select_related("filled_by").first()


def credit_card_history(card: CreditCard, *, limit: int = 30) -> list[dict]:
    """CRD-1: who changed the card, when, and which items (field, old → new), newest first."""
    records = list(card.history.select_related("history_user").order_by("-history_date", "-history_id")[:limit + 1])
    entries = []
    for newer, older in zip(records[:limit], records[1:limit + 1] + [None], strict=False):
        changes = []
        if older is not None:
            for change in newer.diff_against(older, excluded_fields=["version"]).changes:
                changes.append({"field": change.field, "label": str(CreditCard._meta.get_field(change.field).verbose_name),
                                "old": change.old, "new": change.new})
        entries.append({"record": newer, "changes": changes})
    return entries


# --- requests and queues ------------------------------------------------------------------------------------

def credit_requests_visible_to(user) -> QuerySet[CreditRequest]:
    return scope_queryset(
        CreditRequest.objects.select_related("customer", "customer__owner", "requested_by", "order").prefetch_related(
            Prefetch("steps", queryset=CreditApproval.objects.select_related("decided_by"))),
        user, owner_field="customer__owner", office_field="customer__office")


def latest_requests_of(customer, *, limit: int) -> QuerySet[CreditRequest]:
    """The customer's latest requests, newest first, with who asked (the customer's timeline)."""
    return customer.credit_requests.select_related("requested_by").order_by("-created_at", "-id")[:limit]


def credit_requests_of(customer) -> QuerySet[CreditRequest]:
    """The requests of one customer the caller already has in scope, with their signatures."""
    return customer.credit_requests.select_related("requested_by", "order").prefetch_related(
        Prefetch("steps", queryset=CreditApproval.objects.select_related("decided_by")))


def pending_requests_of(customer) -> QuerySet[CreditRequest]:
    return credit_requests_of(customer).filter(status=CreditRequest.Status.PENDING)


def last_approved_limit_request(customer) -> CreditRequest | None:
    """The request whose signatures stand under the customer's present limit (KH002)."""
    return (credit_requests_of(customer).filter(kind=CreditRequest.Kind.LIMIT, status=CreditRequest.Status.APPROVED)
            .order_by("-decided_at", "-id").first())


def approval_thresholds() -> QuerySet[ApprovalThreshold]:
    return ApprovalThreshold.objects.order_by("min_amount")


def credit_request_get_for_user(*, user, pk) -> CreditRequest:
    return get_for_user(credit_requests_visible_to(user), pk, user=user,
                        not_found=_("No such credit request in your scope."))


def levels_of(user) -> list[str]:
    """The approval levels the user signs for (by role)."""
    if scope_of(user) is None:
        return []
    return [level for level, role in LEVEL_ROLE.items() if user.role == role]


def second_signer_named() -> str:
    """CRD-2: who signs the general manager's own requests (a role or a username; "" none)."""
    return settings.KEHU_CREDIT_SECOND_SIGNER


def is_second_signer(user) -> bool:
    named = second_signer_named()
    return bool(named) and scope_of(user) is not None and named in (user.username, user.role)


def is_top_requester(requester) -> bool:
    """The requester signs for the top of the chain: nobody above signs their requests."""
    return requester.role == LEVEL_ROLE[CHAIN[-1]]


def signs_anything(user) -> bool:
    return bool(levels_of(user)) or is_second_signer(user)


def awaiting_signature_of(user) -> QuerySet[CreditRequest]:
    """CRD-2: pending requests in the user's scope whose next signature is the user's level,
    oldest first (one indexed query: credit_request_queue). Never the user's own requests;
    the general manager's own requests wait for the second signer when one is named."""
    signs = Q(next_level__in=levels_of(user))
    if second_signer_named():
        top_own = Q(next_level=CHAIN[-1], requested_by__role=LEVEL_ROLE[CHAIN[-1]])
        signs = (signs & ~top_own) | (top_own if is_second_signer(user) else Q(pk__in=[]))
    return (credit_requests_visible_to(user).filter(signs, status=CreditRequest.Status.PENDING)
            .exclude(requested_by=user).order_by("created_at", "id"))


def approval_queue_for(user) -> list[CreditRequest]:
    return list(awaiting_signature_of(user))


# How many requests wait for the user's signature, for the navigation bar's badge: kept a minute
# per user so that the bar costs no query on every page; the user's own decisions and visits to
# the queue refresh it at once.
WAITING_SECONDS = 60


def _waiting_key(user) -> str:
    return f"kehu:credit:waiting:{user.pk}"


def remember_waiting(user, count: int) -> None:
    cache.set(_waiting_key(user), count, WAITING_SECONDS)


def forget_waiting(user) -> None:
    cache.delete(_waiting_key(user))


def waiting_count(user) -> int:
    """Requests waiting for the user's signature (0 for those who sign for no level)."""
    if not signs_anything(user):
        return 0
    count = cache.get(_waiting_key(user))
    if count is None:
        count = len(approval_queue_for(user))
        remember_waiting(user, count)
    return count


def payment_history(customer, *, limit: int = 12) -> QuerySet[Order]:
    """The customer's recent orders beside a request: amounts, invoice dates, returns."""
    return customer.orders.exclude(status=Order.Status.DRAFT).order_by("-ordered_on", "-id")[:limit]


def payment_histories(customer_ids, *, limit: int = 12) -> dict[int, list[Order]]:
    """payment_history for many customers in one query (the approval queue): each one's
    `limit` most recent orders that are not drafts."""
    ranked = (Order.objects.filter(customer_id__in=list(customer_ids)).exclude(status=Order.Status.DRAFT)
              .annotate(rank=Window(RowNumber(), partition_by=[F("customer_id")],
                                    order_by=[F("ordered_on").desc(), F("id").desc()]))
              .filter(rank__lte=limit).order_by("customer_id", "-ordered_on", "-id"))
    result: dict[int, list[Order]] = {}
    for order in ranked:
        result.setdefault(order.customer_id, []).append(order)
    return result


# --- CRD-4: grade vs behaviour ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Misfit:
    customer: object
    grade: str
    limit: Decimal
    overdue_days: int
    broken_promises: int
    payment_attitude: str
    fitting_grade: str
    proposed_limit: Decimal
    reasons: list[str]


def grade_misfits(user) -> list[Misfit]:
    """CRD-4: customers whose payment behaviour (days late, broken promises, the payment
    attitude on their credit card) no longer fits their grade or limit, each with the grade
    that fits and the limit that grade proposes (never more than the present limit)."""
    policy = CreditPolicy.current()
    accounts = list(CreditAccount.objects.filter(customer__in=customers_visible_to(user).values("pk"))
                    .filter(Q(limit__gt=0)).select_related("customer", "customer__owner", "customer__credit_card"))
    ids = [a.customer_id for a in accounts]
    late, promises = overdue_days(ids), broken_promises(ids)
    result = []
    for account in accounts:
        customer = account.customer
        grade = account.grade or customer.grade
        card = getattr(customer, "credit_card", None)
        days, broken = late.get(customer.pk, 0), promises.get(customer.pk, 0)
        fit = rules.grade_fit(policy=policy, grade=grade, limit=account.limit, overdue_days=days,
                              broken_promises=broken, card=card)
        if fit.fitting_grade != grade or fit.proposed_limit < account.limit:
            result.append(Misfit(customer=customer, grade=grade, limit=account.limit, overdue_days=days,
                                 broken_promises=broken, payment_attitude=card.payment_attitude if card else "",
                                 fitting_grade=fit.fitting_grade, proposed_limit=fit.proposed_limit,
                                 reasons=fit.reasons))
    result.sort(key=lambda m: (m.limit - m.proposed_limit), reverse=True)
    return result


def requests_of_order(user, order) -> dict[str, list[CreditRequest]]:
    """CRD-3, ORD-1: the one-off overrides and the discount approvals asked for an order (newest
    first), by kind, in one query: the order page shows both."""
    found = {CreditRequest.Kind.OVERRIDE: [], CreditRequest.Kind.DISCOUNT: []}
    for r in (credit_requests_visible_to(user).filter(order=order, kind__in=list(found))
              .order_by("-created_at", "-id")):
        found[r.kind].append(r)
    return found


def has_open_request(requests: list[CreditRequest]) -> bool:
    """Whether one of an order's requests of a kind is still open — waiting, or approved and
    unused — so that no second one may be asked."""
    return any(_is_open_override(r) for r in requests)


def _is_open_override(request: CreditRequest) -> bool:
    return request.status in (CreditRequest.Status.PENDING, CreditRequest.Status.APPROVED) and not request.used_at


# --- discounts below the list price (ORD-1) -----------------------------------------------------------------

def discount_allowances() -> dict[str, Decimal]:
    """The maximum discount below list price of each role that has one (the admin's table)."""
    return dict(DiscountAllowance.objects.values_list("role", "max_discount_pct"))


def allowance_of(user) -> Decimal | None:
    """How far below list price the user may confirm on their own; None: not limited."""
    return DiscountAllowance.objects.filter(role=user.role).values_list("max_discount_pct", flat=True).first()


def priced_lines(order) -> list[rules.PricedLine]:
    """The order's lines as the discount rule reads them, with each product's floor price (one query)."""
    lines = OrderLine.objects.filter(order_id=order.pk).select_related("product__floor_price").order_by("id")
    priced = []
    for number, line in enumerate(lines, start=1):
        floor = getattr(line.product, "floor_price", None)
        priced.append(rules.PricedLine(number=number, product=str(line.product), list_price=line.product.list_price,
                                       unit_price=line.unit_price, discount_pct=line.discount_pct,
                                       floor_price=floor.min_price if floor else None))
    return priced


def discount_excesses_of(order, user) -> list[rules.DiscountExcess]:
    """ORD-1: the order's lines priced beyond what `user` may confirm on their own."""
    return rules.discount_excesses(priced_lines(order), allowed_pct=allowance_of(user))

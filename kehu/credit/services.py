"""Credit writes: the evaluation card (CRD-1), limit requests through the approval chain
(CRD-2), and confirming orders under the limit, with one-off overrides (CRD-3) and discount
approvals for lines priced beyond the confirmer's maximum discount or a floor price (ORD-1)."""

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.core.access import require
from kehu.core.errors import (
    DomainError,
    PermissionDeniedError,
    StaleEdit,
    ValidationFailed,
    full_clean_or_refuse,
)
from kehu.core.history import save_by
from kehu.core.importing import check_lengths
from kehu.core.money import CENT, decimal_or_refuse, money
from kehu.core.roles import Scope
from kehu.core.scopes import office_subtree_ids, scope_of
from kehu.credit import rules, selectors
from kehu.credit.capabilities import REQUEST_CREDIT
from kehu.credit.locks import lock_account, lock_accounts_of, lock_card, lock_request, lock_usable_approvals
from kehu.credit.models import (
    CHAIN,
    LEVEL_ROLE,
    ApprovalThreshold,
    CreditAccount,
    CreditApproval,
    CreditCard,
    CreditPolicy,
    CreditRequest,
    level_label,
)
from kehu.customers.models import Grade
from kehu.customers.selectors import customer_get_for_user
from kehu.sales import services as sales_services
from kehu.sales.capabilities import TAKE_ORDERS
from kehu.sales.locks import lock_order
from kehu.sales.models import Order

Kind, Status = CreditRequest.Kind, CreditRequest.Status


class CreditRefused(DomainError):
    """CRD-3: the order would take the customer beyond the limit (code credit_over_limit, with
    the shortfall), or receivables are overdue beyond the policy's days (code credit_overdue,
    with the days overdue and the days the policy allows). When both hold, the refusal is the
    overdue one: the overdue money is collected first."""

    status = 409
    OVER_LIMIT, OVERDUE = "credit_over_limit", "credit_overdue"

    def __init__(self, message, *, code: str, exposure, amount, shortfall=None, overdue_days=None,
                 policy_days=None):
        super().__init__(message)
        self.code = code
        self.exposure, self.amount, self.shortfall = exposure, amount, shortfall
        self.overdue_days, self.policy_days = overdue_days, policy_days


class DiscountRefused(DomainError):
    """ORD-1: a line of the order is priced deeper below the list price than the confirmer's
    role may give, or below the product's floor price, and no approved discount approval of the
    order covers it (code discount_over_limit, with the lines)."""

    status = 409
    code = "discount_over_limit"

    def __init__(self, message, *, excesses: list[rules.DiscountExcess]):
        super().__init__(message)
        self.excesses = excesses


def _pct(value: Decimal) -> str:
    return f"{value.quantize(CENT)}%"


def discount_excess_text(excess: rules.DiscountExcess) -> str:
    """One line beyond the allowance, in words: its number, product, discount and what is allowed."""
    line = excess.line
    parts = []
    if excess.over_allowance:
        parts.append(_("%(pct)s below the list price %(list)s, more than the %(allowed)s your role may give")
                     % {"pct": _pct(line.below_list_pct), "list": money(line.list_price),
                        "allowed": _pct(excess.allowed_pct)})
    if excess.below_floor:
        parts.append(_("net price %(price)s, below the floor price %(floor)s")
                     % {"price": money(line.net_price), "floor": money(line.floor_price)})
    return _("line %(number)d (%(product)s): %(why)s") % {"number": line.number, "product": line.product,
                                                         "why": _(", and ").join(parts)}


def _discount_refusal(excesses, *, pending: CreditRequest | None, approved: CreditRequest | None) -> DiscountRefused:
    lines = _("; ").join(discount_excess_text(e) for e in excesses)  # between the lines named
    if pending is not None:
        then = _("Its discount approval waits for the signature of the %(level)s.") % {
            "level": level_label(pending.next_level)}
    elif approved is not None:
        then = _("The discount approved (%(pct)s below the list price) does not cover it: ask for discount "
                 "approval again.") % {"pct": _pct(approved.discount_pct or Decimal("0"))}
    else:
        then = _("Ask for discount approval.")
    return DiscountRefused(_("Not confirmed: the price needs a discount approval. %(lines)s. %(then)s")
                           % {"lines": lines, "then": then}, excesses=excesses)


# --- thresholds ------------------------------------------------------------------------------------------------

def levels_for(amount: Decimal, *, requested_by=None) -> list[str]:
    """CRD-2: the levels that sign for `amount`, in chain order: every level whose threshold
    the amount reaches; the office director signs at least. The requester never signs: the
    request of a signer starts at the level above theirs (credit.rules.signing_levels)."""
    named = {t.level for t in ApprovalThreshold.objects.filter(min_amount__lte=amount)}
    top = max((CHAIN.index(level) for level in named), default=0)
    return rules.signing_levels(top=top, requester_role=requested_by.role if requested_by else "")


# --- the evaluation card (CRD-1) ----------------------------------------------------------------------------

CARD_FIELDS = [f.name for f in CreditCard._meta.concrete_fields
               if f.name not in ("id", "customer", "filled_by", "version", "created_at", "updated_at")]


def credit_card_save(*, by, customer, version: int | None, data: dict) -> CreditCard:
    """Create or edit the customer's KH002 card; every change is kept in its history.

    An edit carries the `version` of the card the user read and is refused (StaleEdit) when the
    card changed since, or when no version is given (core.locks.lock_versioned). A customer
    without a card gets one whatever the version: the form sends 0 for a card not saved yet
    (so a card created meanwhile by someone else refuses the save), the API and the demo None."""
    customer = customer_get_for_user(user=by, pk=customer.pk, write=True)
    with transaction.atomic():
        card_pk = CreditCard.objects.filter(customer=customer).values_list("pk", flat=True).first()
        if card_pk is None:
            card = CreditCard(customer=customer, filled_by=by)
        else:
            card = lock_card(card_pk=card_pk, version=version, customer=customer)
            card.version += 1
        for field, value in data.items():
            if field in CARD_FIELDS:
                setattr(card, field, value)
        if isinstance(card.brand_sales, list) and all(isinstance(row, dict) for row in card.brand_sales):
            card.brand_sales = rules.brand_shares(card.brand_sales)  # 比重 from the amounts, never typed
        full_clean_or_refuse(card, exclude=["customer", "filled_by"])
        save_by(card, by)
    return card


# --- limit requests and the approval chain (CRD-2) -------------------------------------------------------------

def credit_limit_request(*, by, customer, amount, grade: str = "", reasons: str) -> CreditRequest:
    """A salesperson (or a manager) asks for a limit or a change of it, with reasons."""
    customer = customer_get_for_user(user=by, pk=customer.pk, write=True)
    require(by, REQUEST_CREDIT, _("Your role does not request credit limits."))
    amount = decimal_or_refuse(amount, field="amount", label=_("The limit"))
    reasons = (reasons or "").strip()
    errors = {}
    if amount < 0:
        errors["amount"] = [_("The limit cannot be negative.")]
    if grade and grade not in Grade.values:
        errors["grade"] = [_("Choose A, B or C.")]
    if not reasons:
        errors["reasons"] = [_("Give the reasons for the limit.")]
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], field_errors=errors)
    with transaction.atomic():
        account, _created = CreditAccount.objects.get_or_create(customer=customer)
        if CreditRequest.objects.filter(customer=customer, kind=Kind.LIMIT, status=Status.PENDING).exists():
            raise ValidationFailed(_("A limit request for %(name)s is already waiting for approval.")
                                   % {"name": customer.name})
        request = CreditRequest(kind=Kind.LIMIT, customer=customer, office_id=customer.office_id,
                                amount=amount.quantize(CENT), grade=grade, previous_limit=account.limit,
                                reasons=reasons, requested_by=by, levels=levels_for(amount, requested_by=by))
        request.next_level = request.levels[0]
        full_clean_or_refuse(request)
        request.save()
    return request


def credit_override_request(*, by, order: Order, reasons: str) -> CreditRequest:
    """CRD-3: a one-off override for one draft order refused by the credit check. The level
    the thresholds name for the exposure the order would reach signs it alone."""
    order = Order.objects.select_related("customer").get(pk=order.pk)
    customer = customer_get_for_user(user=by, pk=order.customer_id, write=True)
    require(by, REQUEST_CREDIT, _("Your role does not request overrides."))
    if order.status != Order.Status.DRAFT:
        raise ValidationFailed(_("An override is asked for an order before it is confirmed."))
    reasons = (reasons or "").strip()
    if not reasons:
        raise ValidationFailed(_("Give the reasons for the override."), field_errors={"reasons": [_("Required.")]})
    exposure = selectors.exposure_of(customer, exclude_order=order)
    reaching = exposure.total + order.total
    with transaction.atomic():
        if CreditRequest.objects.filter(order=order, kind=Kind.OVERRIDE, status__in=[Status.PENDING, Status.APPROVED],
                                        used_at__isnull=True).exists():
            raise ValidationFailed(_("An override for order %(number)s is already asked for or approved.")
                                   % {"number": order.number})
        request = CreditRequest(kind=Kind.OVERRIDE, customer=customer, office_id=customer.office_id, order=order,
                                amount=reaching, previous_limit=exposure.limit, reasons=reasons, requested_by=by,
                                levels=levels_for(reaching, requested_by=by)[-1:])
        request.next_level = request.levels[0]
        request.save()
    return request


def credit_discount_request(*, by, order: Order, reasons: str) -> CreditRequest:
    """ORD-1: a discount approval for one draft order with lines priced beyond the requester's
    maximum discount or below a floor price. It waits for the one level above the requester whose
    own maximum discount covers the deepest line (CRD-2's chain, never the requester)."""
    order = Order.objects.select_related("customer").get(pk=order.pk)
    customer = customer_get_for_user(user=by, pk=order.customer_id, write=True)
    require(by, REQUEST_CREDIT, _("Your role does not ask for discount approvals."))
    if order.status != Order.Status.DRAFT:
        raise ValidationFailed(_("A discount approval is asked for an order before it is confirmed."))
    reasons = (reasons or "").strip()
    if not reasons:
        raise ValidationFailed(_("Give the reasons for the discount."), field_errors={"reasons": [_("Required.")]})
    check_lengths(CreditRequest, reasons=reasons)
    excesses = selectors.discount_excesses_of(order, by)
    if not excesses:
        raise ValidationFailed(_("Every line of order %(number)s is within what you may give: confirm it.")
                               % {"number": order.number})
    deepest = rules.deepest_discount(excesses)
    level = rules.discount_signing_level(deepest=deepest, requester_role=by.role,
                                        allowances=selectors.discount_allowances())
    with transaction.atomic():
        if CreditRequest.objects.filter(order=order, kind=Kind.DISCOUNT, status__in=[Status.PENDING, Status.APPROVED],
                                        used_at__isnull=True).exists():
            raise ValidationFailed(_("A discount approval for order %(number)s is already asked for or approved.")
                                   % {"number": order.number})
        request = CreditRequest(kind=Kind.DISCOUNT, customer=customer, office_id=customer.office_id, order=order,
                                amount=order.total, discount_pct=deepest, reasons=reasons, requested_by=by,
                                levels=[level], next_level=level)
        request.save()
    return request


def credit_request_decide(*, by, request: CreditRequest, approve: bool, comment: str = "") -> CreditRequest:
    """One signature: the awaited level approves or rejects, with a comment. A rejection
    stops the request and changes nothing else; the last approval makes a limit effective."""
    comment = (comment or "").strip()
    check_lengths(CreditApproval, comment=comment)
    if not approve and not comment:
        raise ValidationFailed(_("Say why the request is rejected."), field_errors={"comment": [_("Required.")]})
    with transaction.atomic():
        # The customer's credit account (rank 20) is locked before the request (25): the last
        # approval of a limit writes it.
        kind, customer_id = CreditRequest.objects.values_list("kind", "customer_id").get(pk=request.pk)
        accounts = lock_accounts_of(customer_id) if kind == Kind.LIMIT else []
        current = lock_request(request.pk, with_customer=True)
        level = current.next_level
        if level is None:
            raise ValidationFailed(_("This request was already decided."))
        refusal = signature_refusal(by, level, current)
        if refusal:
            raise PermissionDeniedError(refusal)
        try:
            with transaction.atomic():
                CreditApproval.objects.create(request=current, level=level, decided_by=by, comment=comment,
                                              decision=CreditApproval.Decision.APPROVED if approve
                                              else CreditApproval.Decision.REJECTED)
        except IntegrityError:
            raise StaleEdit(_("Someone signed this step at the same moment; reload the request.")) from None
        now = timezone.now()
        current.next_level = current.awaited_level() if approve else None
        if not approve:
            current.status, current.decided_at = Status.REJECTED, now
        elif current.next_level is None:
            current.status, current.decided_at = Status.APPROVED, now
            if current.kind == Kind.LIMIT:
                account = accounts[0] if accounts else CreditAccount.objects.get_or_create(customer=current.customer)[0]
                account.limit = current.amount
                if current.grade:
                    account.grade = current.grade
                account.approved_at = now
                save_by(account, by)
        current.save()
    return current


def signature_refusal(user, level: str, request: CreditRequest) -> str | None:
    """CRD-2: why `user` may not sign `level` of the request, or None when they may. The
    requester never signs their own request; the general manager's own request is signed at
    the top level by the second signer (KEHU_CREDIT_SECOND_SIGNER) when one is named."""
    if user.pk == request.requested_by_id:
        if selectors.is_top_requester(user) and not selectors.second_signer_named():
            return _("You asked for this request, so you cannot sign it. The general manager's own requests are "
                     "signed by another general manager or by the second signer the administrator names "
                     "(KEHU_CREDIT_SECOND_SIGNER), and none is named.")
        return _("You asked for this request, so you cannot sign it: it waits for the signature of the "
                 "%(level)s.") % {"level": level_label(level)}
    waits = _("This request waits for the signature of the %(level)s.") % {"level": level_label(level)}
    if scope_of(user) is None:
        return waits
    if level == CHAIN[-1] and selectors.second_signer_named() and selectors.is_top_requester(request.requested_by):
        if not selectors.is_second_signer(user):
            return _("This request of the general manager waits for the signature of the second signer.")
    elif user.role != LEVEL_ROLE[level]:
        return waits
    if scope_of(user) == Scope.TEAM and request.customer.office_id not in office_subtree_ids(user):
        return waits
    return None


def _may_sign(user, level: str, request: CreditRequest) -> bool:
    return signature_refusal(user, level, request) is None


def check_withdrawable(request: CreditRequest, *, by) -> None:
    """CRD-2: only who asked withdraws, and only while nobody has decided."""
    if request.requested_by_id != by.pk:
        raise PermissionDeniedError(_("Only who asked can withdraw a request."))
    if request.status != Status.PENDING:
        raise ValidationFailed(_("This request was already decided."))


def request_actions(*, user, request: CreditRequest) -> dict[str, bool]:
    """What the user may do with the request now: the buttons of its page (the services check again)."""
    try:
        check_withdrawable(request, by=user)
    except DomainError:
        withdraw = False
    else:
        withdraw = True
    return {"decide": bool(request.next_level) and _may_sign(user, request.next_level, request),
            "withdraw": withdraw}


def credit_request_withdraw(*, by, request: CreditRequest) -> CreditRequest:
    with transaction.atomic():
        current = lock_request(request.pk)
        check_withdrawable(current, by=by)
        current.status, current.decided_at, current.next_level = Status.WITHDRAWN, timezone.now(), None
        current.save()
    return current


# --- confirming orders under the limit (CRD-3) ---------------------------------------------------------------

def _use_discount_approval(by, order: Order, approved: list[CreditRequest]) -> None:
    """ORD-1: refuse the confirmation of an order with lines priced beyond what `by` may give,
    unless an approved, unused discount approval of the order covers its deepest line; that
    approval is then used (in the confirmation's transaction: a refusal further on undoes it)."""
    excesses = selectors.discount_excesses_of(order, by)
    if not excesses:
        return
    deepest = rules.deepest_discount(excesses)
    covering = [r for r in approved if r.discount_pct is not None and r.discount_pct >= deepest]
    if not covering:
        pending = CreditRequest.objects.filter(order=order, kind=Kind.DISCOUNT, status=Status.PENDING).first()
        raise _discount_refusal(excesses, pending=pending, approved=max(approved, key=lambda r: r.pk, default=None))
    used = max(covering, key=lambda r: (r.created_at, r.pk))
    used.used_at = timezone.now()
    used.save(update_fields=["used_at"])


def order_confirm(*, by, order: Order, version: int) -> Order:
    """Confirm a draft order unless it would take the customer's exposure beyond the credit
    limit, or the customer has receivables overdue beyond the policy's days; an approved,
    unused override of this order lets it pass once. A line priced deeper below the list price
    than `by`'s role may give, or below its floor price, needs an approved discount approval
    of the order first (ORD-1). The customer's credit row is locked
    first, so two confirmations at the same moment are checked one after the other."""
    require(by, TAKE_ORDERS, _("Your role does not confirm orders."))
    customer = customer_get_for_user(user=by, pk=order.customer_id, write=True)
    account = CreditAccount.objects.get_or_create(customer=customer)[0]
    policy = CreditPolicy.current()
    with transaction.atomic():
        # core.locks order: the credit account (20), the order's approvals (25), the order (30).
        account = lock_account(account.pk)
        approvals = lock_usable_approvals(order.pk)
        overrides = [r for r in approvals if r.kind == Kind.OVERRIDE]
        current = lock_order(order_pk=order.pk, version=version)
        sales_services.check_transition(current, Order.Status.CONFIRMED)
        _use_discount_approval(by, current, [r for r in approvals if r.kind == Kind.DISCOUNT])
        exposure = selectors.exposure_of(customer, exclude_order=current, limit=account.limit)
        shortfall = exposure.total + current.total - account.limit
        overdue = exposure.overdue_days > policy.overdue_block_days
        if shortfall > 0 or overdue:
            # The newest, as CreditRequest's ordering says (there is at most one).
            override = max(overrides, key=lambda r: (r.created_at, r.pk), default=None)
            if override is None:
                numbers = {"limit": money(account.limit), "exposure": money(exposure.total),
                           "amount": money(current.total), "shortfall": money(max(shortfall, Decimal("0"))),
                           "days": exposure.overdue_days, "allowed": policy.overdue_block_days}
                if overdue:
                    raise CreditRefused(
                        _("Not confirmed: %(days)d days overdue (more than %(allowed)d). Credit limit "
                          "%(limit)s, exposure %(exposure)s, this order %(amount)s. Collect the overdue "
                          "money first or ask for an override.") % numbers,
                        code=CreditRefused.OVERDUE, exposure=exposure, amount=current.total,
                        overdue_days=exposure.overdue_days, policy_days=policy.overdue_block_days)
                raise CreditRefused(
                    _("Not confirmed: beyond the credit limit. Credit limit %(limit)s, exposure "
                      "%(exposure)s, this order %(amount)s: %(shortfall)s short. Collect payment, "
                      "ask for a higher limit or for an override.") % numbers,
                    code=CreditRefused.OVER_LIMIT, exposure=exposure, amount=current.total, shortfall=shortfall)
            override.used_at = timezone.now()
            override.save(update_fields=["used_at"])
        sales_services.mark_confirmed(by=by, order=current)
    return current

"""What credit shows on other apps' pages (core.registry): the navigation entry with the
waiting badge, the money figures in the header of the customer's 360° page, its 申请额度 button and its
credit block, and on the order page the
confirmation under the credit check (CRD-3) with its refusal and the one-off overrides, and the
discount approvals of lines priced beyond the confirmer's maximum discount (ORD-1)."""

from decimal import Decimal

from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kehu.core.capabilities import user_can
from kehu.core.money import money
from kehu.core.registry import Action, NavEntry, Panel, TimelineEntry, TimelineSource, registry
from kehu.credit import selectors
from kehu.credit.capabilities import REQUEST_CREDIT
from kehu.credit.forms import DiscountRequestForm, OverrideForm
from kehu.credit.models import CreditRequest
from kehu.credit.services import discount_excess_text
from kehu.customers.capabilities import EDIT_CUSTOMERS
from kehu.sales.services import order_actions


def _account_and_exposure(request, customer):
    """The customer's credit account and exposure, read once per request: the 360° page's
    header figures and its credit block show the same numbers."""
    cache = request.__dict__.setdefault("_credit_exposure", {})
    if customer.pk not in cache:
        account = selectors.credit_account_of(customer)
        cache[customer.pk] = (account, selectors.exposure_of(customer, limit=account.limit if account
                                                             else Decimal("0")))
    return cache[customer.pk]


def customer_figures(request, customer) -> dict:
    """CUS-3, AR-4, CRD-3 in the 360° page's header: what the customer owes, how much of it is
    overdue and the credit still available, without opening a tab."""
    account, exposure = _account_and_exposure(request, customer)
    return {"customer": customer, "account": account, "exposure": exposure}


def request_limit_button(request, customer) -> dict | None:
    """CRD-2: 申请额度 in the 360° page's header, for those who ask for limits."""
    return {"customer": customer} if user_can(request.user, REQUEST_CREDIT) else None


def customer_credit(request, customer) -> dict:
    """CRD-1..3 on the 360° page: limit, grade, exposure, the card and open requests."""
    account, exposure = _account_and_exposure(request, customer)
    return {"customer": customer, "account": account, "exposure": exposure,
            "card": selectors.credit_card_of(customer), "pending": list(selectors.pending_requests_of(customer)),
            "can_edit": user_can(request.user, EDIT_CUSTOMERS)}


def confirm_button(request, order) -> dict | None:
    return {"order": order} if order_actions(user=request.user, order=order)["confirm"] else None


def _refusal_of(request, order) -> str:
    """The refusal of the confirmation just tried (credit.views.remember_refusal), read once."""
    if not hasattr(request, "_credit_refusal"):
        request._credit_refusal = request.session.pop(f"credit-refused-{order.pk}", "")
    return request._credit_refusal


def _requests(request, order) -> dict[str, list]:
    """The order's overrides and discount approvals, read once for the panels that show them."""
    if not hasattr(request, "_credit_order_requests"):
        request._credit_order_requests = selectors.requests_of_order(request.user, order)
    return request._credit_order_requests


def _overrides(request, order) -> tuple[list, bool]:
    """The order's overrides and whether the user may ask for one now (a draft, none open)."""
    if not hasattr(request, "_credit_overrides"):
        found = _requests(request, order)[CreditRequest.Kind.OVERRIDE]
        may = order_actions(user=request.user, order=order)["edit"] and not selectors.has_open_request(found)
        request._credit_overrides = (found, may)
    return request._credit_overrides


def refusal(request, order) -> dict | None:
    message = _refusal_of(request, order)
    if not message:
        return None
    return {"refusal": message, "may_override": _overrides(request, order)[1]}


def overrides(request, order) -> dict | None:
    found, may_override = _overrides(request, order)
    if not found and not may_override:
        return None
    return {"order": order, "overrides": found, "may_override": may_override,
            "refused": bool(_refusal_of(request, order)), "override_form": OverrideForm()}


def discount(request, order) -> dict | None:
    """ORD-1 on the order page: the lines priced beyond what the user may give (or the refusal of
    the confirmation just tried), the order's discount approvals, and the form to ask for one."""
    refused = request.session.pop(f"credit-discount-refused-{order.pk}", "")
    found = _requests(request, order)[CreditRequest.Kind.DISCOUNT]
    editable = order_actions(user=request.user, order=order)["edit"]
    excesses = selectors.discount_excesses_of(order, request.user) if editable else []
    if not (refused or found or excesses):
        return None
    return {"order": order, "refusal": refused, "requests": found, "form": DiscountRequestForm(),
            "excesses": [discount_excess_text(e) for e in excesses],
            "may_ask": bool(excesses) and not selectors.has_open_request(found) and user_can(request.user, REQUEST_CREDIT)}


def waiting_badge(request) -> int | None:
    return selectors.waiting_count(request.user) or None


def decisions(user, customer, limit: int) -> list[TimelineEntry]:
    """CRD-2, CRD-3: credit requests asked for and decided."""
    entries = []
    for r in selectors.latest_requests_of(customer, limit=limit):
        url = reverse("credit:request_detail", args=[r.pk])
        entries.append(TimelineEntry(at=r.created_at, kind="credit_request", url=url, by=r.requested_by.display_name,
                                     text=gettext("%(kind)s asked for: %(amount)s") % {
                                         "kind": r.get_kind_display(), "amount": money(r.amount)}))
        if r.decided_at:
            entries.append(TimelineEntry(at=r.decided_at, kind=f"credit_{r.status}", url=url,
                                         text=gettext("%(kind)s %(amount)s: %(status)s") % {
                                             "kind": r.get_kind_display(), "amount": money(r.amount),
                                             "status": r.get_status_display()}))
    return entries


def register() -> None:
    registry.add(NavEntry(key="credit", label=_("Credit approvals"), url_name="credit:queue", order=70,
                          badge=waiting_badge, element_id="nav-credit"))
    registry.add(Panel(key="figures", page="customer", tab="top", template="credit/_customer_figures.html",
                       context=customer_figures, order=10, query_budget=5))
    registry.add(Action(key="request-limit", page="customer", template="credit/_customer_request_limit.html",
                        context=request_limit_button, order=40))
    registry.add(Panel(key="credit", page="customer", tab="business", template="credit/_customer_credit.html",
                       context=customer_credit, order=20, query_budget=8))
    registry.add(TimelineSource(key="credit", label=_("Credit"), entries=decisions, order=40, query_budget=1))
    registry.add(Action(key="confirm", page="order", template="credit/_order_confirm.html",
                        context=confirm_button, order=10))
    registry.add(Panel(key="credit-refusal", page="order", tab="top", template="credit/_order_refusal.html",
                       context=refusal, order=10, query_budget=2))
    registry.add(Panel(key="credit-discount", page="order", tab="top", template="credit/_order_discount.html",
                       context=discount, order=15, query_budget=6))
    registry.add(Panel(key="credit-overrides", page="order", tab="side", template="credit/_order_overrides.html",
                       context=overrides, order=50, query_budget=3))

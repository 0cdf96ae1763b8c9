"""Credit pages: thin — parse the request, call a selector or service, render."""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.forms import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kehu.core.access import require
from kehu.core.capabilities import user_can
from kehu.core.errors import UserInputError
from kehu.core.excel import Column, export_response
from kehu.core.forms import apply_field_errors
from kehu.core.money import money
from kehu.core.views import next_url, post_step, saved
from kehu.credit import rules, selectors, services
from kehu.credit.capabilities import REQUEST_CREDIT
from kehu.credit.forms import (
    CARD_SECTIONS,
    MAX_BRANDS,
    BrandSalesFormSet,
    CreditCardForm,
    DecisionForm,
    DiscountRequestForm,
    LimitRequestForm,
    OverrideForm,
    RequestFilterForm,
    parse_amount,
)
from kehu.credit.models import CreditCard, CreditRequest, level_label
from kehu.credit.selectors import forget_waiting, remember_waiting
from kehu.customers.capabilities import EDIT_CUSTOMERS
from kehu.customers.display import field_display
from kehu.customers.models import Grade, KeyPerson
from kehu.customers.selectors import customer_get_for_user, key_people_of
from kehu.sales.forms import VersionForm
from kehu.sales.selectors import order_get_for_user

PAGE_SIZE = 50
QUEUE_PAGE_SIZE = 25  # a dense table: a screenful of rows
ATTITUDES = dict(CreditCard.PaymentAttitude.choices)


# --- the evaluation card KH002 (CRD-1) ------------------------------------------------------------------------

def _text(field, value) -> str:
    """A card value as the paper form shows it: choice labels, Yes/No, dates, money."""
    if value is None or value == "" or value == []:
        return ""
    if field.name == "brand_sales":
        return "; ".join(_brand_text(row) for row in _brand_rows(value))
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, date):
        return value.isoformat()
    if field.name in ("market_value", "monthly_rent"):
        return money(value)
    return str(value)


def _as_decimal(value):
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _brand_rows(stored) -> list[dict]:
    """The brands' rows with their amounts as numbers, each share 比重 computed from the amounts
    (CRD-1: never the typed or stored figure)."""
    rows = [row for row in stored or [] if isinstance(row, dict) and row.get("brand")]
    return [{"brand": row.get("brand", ""), "company": row.get("company", ""),
             "monthly_sales": _as_decimal(row.get("monthly_sales")) if row.get("monthly_sales") else None,
             "share": _as_decimal(row["share"]) if row["share"] else None}
            for row in rules.brand_shares(rows)]


def _brand_text(row) -> str:
    parts = [row["brand"] + (f" ({row['company']})" if row["company"] else "")]
    if row["monthly_sales"] is not None:
        parts.append(money(row["monthly_sales"]))
    if row["share"] is not None:
        parts.append(f"{row['share']}%")
    return " ".join(parts)


# KH002's heading and accounting items that the customer card KH001 already holds: shown from
# it (one source of truth), under the paper form's words.
CUSTOMER_HEADING = [
    ("fax", gettext_lazy("fax 传真")), ("postcode", gettext_lazy("postcode 邮编")),
    ("founded_on", gettext_lazy("founded on 创业日期")), ("nature", gettext_lazy("business type 经营方式")),
    ("product_lines", gettext_lazy("products carried 经营品种")),
    ("coverage_area", gettext_lazy("coverage area 辐射区域")),
]
CUSTOMER_ACCOUNTS = [
    ("bank", gettext_lazy("bank and account 往来银行及账号")),
    ("registered_capital", gettext_lazy("capital 资本额")), ("working_capital", gettext_lazy("working capital 流动资金")),
    ("registration_no", gettext_lazy("business licence no. 营业执照登记号")),
]


def _customer_items(customer, items) -> list[tuple[str, str, str]]:
    """(name, label, text) of the customer card's items, as KH001 shows them."""
    shown = []
    for name, label in items:
        text = field_display(customer, name)
        if name == "bank":
            text = " ".join(part for part in (text, field_display(customer, "bank_account")) if part)
        shown.append((f"customer.{name}", label, text))
    return shown


def _sections(card, customer):
    fields = CreditCard._meta
    sections = [(title, [(name, fields.get_field(name).verbose_name,
                          _text(fields.get_field(name), getattr(card, name)) if card else "") for name in names])
                for title, names in CARD_SECTIONS]
    (business, first), *middle, (accounts, last) = sections
    return [(business, first + _customer_items(customer, CUSTOMER_HEADING)), *middle,
            (accounts, last + _customer_items(customer, CUSTOMER_ACCOUNTS))]


def _card_context(request, customer):
    card = selectors.credit_card_of(customer)
    approved = selectors.last_approved_limit_request(customer)
    brands = _brand_rows(card.brand_sales) if card else []
    return {
        "customer": customer, "card": card, "sections": _sections(card, customer), "brands": brands,
        "brand_total": sum((b["monthly_sales"] for b in brands if b["monthly_sales"] is not None), Decimal("0")),
        "account": selectors.credit_account_of(customer),
        "signatures": [s for s in approved.steps.all() if s.decision == "approved"] if approved else [],
        "approved_request": approved,
    }


@login_required
def card_detail(request, pk):
    customer = customer_get_for_user(user=request.user, pk=pk)
    context = _card_context(request, customer)
    fields = CreditCard._meta
    history = selectors.credit_card_history(context["card"]) if context["card"] else []
    for entry in history:
        for change in entry["changes"]:
            field = fields.get_field(change["field"])
            change["old"], change["new"] = _text(field, change["old"]), _text(field, change["new"])
    context.update(history=history, can_edit=user_can(request.user, EDIT_CUSTOMERS),
                   may_request=user_can(request.user, REQUEST_CREDIT))
    return render(request, "credit/card.html", context)


@login_required
def card_print(request, pk):
    customer = customer_get_for_user(user=request.user, pk=pk)
    context = _card_context(request, customer)
    # The paper form: three items a line; the business items stand in its heading.
    print_sections = []
    for title, fields in context["sections"][1:]:
        padded = list(fields) + [("", "", "")] * (-len(fields) % 3)
        print_sections.append((title, [padded[i:i + 3] for i in range(0, len(padded), 3)]))
    in_charge = next((p for p in key_people_of(customer)
                      if p.is_current and p.role == KeyPerson.Role.PERSON_IN_CHARGE), None)
    heading = _customer_items(customer, CUSTOMER_HEADING)
    context.update(print_sections=print_sections, in_charge=in_charge,
                   customer_heading=[heading[i:i + 3] for i in range(0, len(heading), 3)],
                   blank_brand_rows=range(max(MAX_BRANDS - len(context["brands"]), 0)))
    return render(request, "credit/card_print.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def card_edit(request, pk):
    customer = customer_get_for_user(user=request.user, pk=pk, write=True)
    card = selectors.credit_card_of(customer) or CreditCard(customer=customer)
    data = request.POST if request.method == "POST" else None
    form = CreditCardForm(data, instance=card)
    brands = BrandSalesFormSet(data, prefix="brands", initial=[
        {k: row.get(k, "") for k in ("brand", "company", "monthly_sales", "share")}
        for row in (card.brand_sales or []) if isinstance(row, dict)][:BrandSalesFormSet.max_num])
    if data is not None:
        form.is_valid()  # the card and its brands are both checked, so that every mistake shows at once
    done = (data is None or brands.is_valid()) and saved(request, form, lambda values: services.credit_card_save(
        by=request.user, customer=customer, version=values.get("version") or 0,
        data={**{k: v for k, v in values.items() if k in services.CARD_FIELDS}, "brand_sales": brands.rows()}),
        done=_("The credit card of %(name)s was saved.") % {"name": customer.name},
        back=reverse("credit:card", args=[customer.pk]))
    return done or render(request, "credit/card_form.html", {"form": form, "brands": brands, "customer": customer,
                                                              "card": card if card.pk else None})


# --- limit requests (CRD-2) ------------------------------------------------------------------------------------

def _levels_preview(text) -> tuple[list[str], str]:
    """The levels that will sign for the amount typed so far, or why it is not an amount."""
    if not str(text or "").strip():
        return [], ""
    try:
        amount = parse_amount(text)
    except ValidationError as exc:
        return [], exc.messages[0]
    return [level_label(level) for level in services.levels_for(amount)], ""


@login_required
@require_http_methods(["GET", "POST"])
def limit_request(request, pk):
    customer = customer_get_for_user(user=request.user, pk=pk, write=True)
    require(request.user, REQUEST_CREDIT, _("Your role does not request credit limits."))
    account = selectors.credit_account_of(customer)
    grade = request.GET.get("grade", "")
    initial = {"amount": request.GET.get("amount", "")[:40], "reasons": request.GET.get("reasons", "")[:2000],
               "grade": grade if grade in Grade.values else (account.grade if account else "")}
    form = LimitRequestForm(request.POST if request.method == "POST" else None, initial=initial)
    if form.is_bound and form.is_valid():
        try:
            created = services.credit_limit_request(by=request.user, customer=customer,
                                                    amount=form.cleaned_data["amount"],
                                                    grade=form.cleaned_data["grade"],
                                                    reasons=form.cleaned_data["reasons"])
        except UserInputError as exc:
            apply_field_errors(form, exc)
        else:
            messages.success(request, _("The request for a limit of %(amount)s for %(name)s was sent; it waits "
                                        "for the signature of the %(level)s.")
                             % {"amount": money(created.amount), "name": customer.name,
                                "level": level_label(created.next_level)})
            return redirect("credit:request_detail", created.pk)
    levels, levels_error = _levels_preview(form["amount"].value())
    pending = [r for r in selectors.pending_requests_of(customer) if r.kind == CreditRequest.Kind.LIMIT]
    return render(request, "credit/request_form.html", {
        "form": form, "customer": customer, "account": account,
        "exposure": selectors.exposure_of(customer, limit=account.limit if account else Decimal("0")),
        "levels": levels, "levels_error": levels_error, "thresholds": selectors.approval_thresholds(),
        "pending": pending[0] if pending else None,
    })


@login_required
@require_GET
def levels_preview(request):
    """htmx: the levels that sign for the amount in the request form, as it is typed."""
    levels, error = _levels_preview(request.GET.get("amount", "")[:40])
    return render(request, "credit/_levels.html", {"levels": levels, "levels_error": error})


def _chain(credit_request) -> list[dict]:
    """Each level that signs, with its signature once given and the one awaited."""
    steps = {s.level: s for s in credit_request.steps.all()}
    awaited = credit_request.next_level
    return [{"level": level, "label": level_label(level), "step": steps.get(level), "awaited": level == awaited}
            for level in credit_request.levels]


@login_required
def request_detail(request, pk):
    credit_request = selectors.credit_request_get_for_user(user=request.user, pk=pk)
    customer = credit_request.customer
    return render(request, "credit/request_detail.html", {
        "credit_request": credit_request, "customer": customer, "chain": _chain(credit_request),
        "exposure": selectors.exposure_of(customer), "orders": selectors.payment_history(customer),
        "actions": services.request_actions(user=request.user, request=credit_request),
        "form": DecisionForm(),
    })


def _back(request, pk) -> str:
    """Where to go after a decision: the page it was taken on (the queue), else the request."""
    return next_url(request, request.POST.get("next", "")) or reverse("credit:request_detail", args=[pk])


@login_required
@require_POST
def request_decide(request, pk):
    credit_request = selectors.credit_request_get_for_user(user=request.user, pk=pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose to approve or reject, with a comment of at most 500 characters. "
                                  "Nothing was signed."))
        return redirect(_back(request, pk))
    approve = form.cleaned_data["decision"] == "approve"
    try:  # a signature out of turn or out of scope is a PermissionDeniedError: the 403 page
        decided = services.credit_request_decide(by=request.user, request=credit_request, approve=approve,
                                                 comment=form.cleaned_data["comment"])
    except UserInputError as exc:
        messages.error(request, exc.message)
        return redirect(_back(request, pk))
    forget_waiting(request.user)
    numbers = {"name": decided.customer.name, "amount": money(decided.amount),
               "number": decided.order.number if decided.order_id else "", "level": level_label(decided.next_level)}
    if decided.status == CreditRequest.Status.REJECTED:
        message = _("The request of %(name)s was rejected.")
    elif decided.status == CreditRequest.Status.PENDING:
        message = _("Signed. The request of %(name)s now waits for the %(level)s.")
    elif decided.kind == CreditRequest.Kind.LIMIT:
        message = _("Approved: the credit limit of %(name)s is %(amount)s from now on.")
    elif decided.kind == CreditRequest.Kind.DISCOUNT:
        message = _("Approved: order %(number)s of %(name)s may be confirmed once at its prices.")
    else:
        message = _("Approved: order %(number)s of %(name)s may be confirmed once beyond the limit.")
    messages.success(request, message % numbers)
    return redirect(_back(request, pk))


@login_required
@require_POST
def request_withdraw(request, pk):
    credit_request = selectors.credit_request_get_for_user(user=request.user, pk=pk)
    try:
        services.credit_request_withdraw(by=request.user, request=credit_request)
    except UserInputError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The request was withdrawn."))
    return redirect("credit:request_detail", pk)


# --- the approval queue and the list of requests (CRD-2) ----------------------------------------------------

@login_required
def approval_queue(request):
    """CRD-2: a dense table of what waits for the user's signature, oldest first, with the facts an
    approver weighs (the requested amount, the exposure and what is overdue, and KH002's payment
    attitude and bank standing); approving asks for a confirmation, rejecting for the reason first."""
    page = Paginator(selectors.awaiting_signature_of(request.user).select_related("customer__credit_card"),
                     QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    waiting = page.paginator.count
    customers = list({r.customer_id: r.customer for r in page.object_list}.values())
    exposures = selectors.exposures_of(customers)
    remember_waiting(request.user, waiting)
    today = timezone.localdate()
    rows = [{"request": r, "exposure": exposures[r.customer_id], "card": getattr(r.customer, "credit_card", None),
             "age": (today - timezone.localtime(r.created_at).date()).days} for r in page.object_list]
    return render(request, "credit/queue.html", {
        "rows": rows, "page": page, "waiting": waiting,
        "levels": [level_label(level) for level in selectors.levels_of(request.user)]
        + ([_("second signer of the general manager's own requests")] if selectors.is_second_signer(request.user)
           else []),
    })


@login_required
def request_list(request):
    requests = selectors.credit_requests_visible_to(request.user)
    filters = RequestFilterForm(request.GET)
    filters.is_valid()
    for field, errors in filters.errors.items():
        messages.warning(request, _("Filter “%(field)s” ignored: %(error)s")
                         % {"field": filters.fields[field].label if field in filters.fields else field,
                            "error": errors[0]})
    chosen = filters.cleaned_data
    if chosen.get("status"):
        requests = requests.filter(status=chosen["status"])
    if chosen.get("kind"):
        requests = requests.filter(kind=chosen["kind"])
    if chosen.get("mine"):
        requests = requests.filter(requested_by=request.user)
    page = Paginator(requests, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "credit/requests.html", {"page": page, "filters": filters, "chosen": chosen})


# --- grade vs behaviour (CRD-4) ----------------------------------------------------------------------------

@login_required
def misfits(request):
    page = Paginator(selectors.grade_misfits(request.user), 100).get_page(request.GET.get("page"))
    rows = [{"misfit": m, "attitude": ATTITUDES.get(m.payment_attitude, ""), "reasons": "; ".join(m.reasons)}
            for m in page.object_list]
    return render(request, "credit/misfits.html", {"page": page, "rows": rows,
                                                   "may_request": user_can(request.user, REQUEST_CREDIT)})


MISFITS_EXPORT = [
    Column(gettext_lazy("code"), "customer.code"), Column(gettext_lazy("customer"), "customer.name"),
    Column(gettext_lazy("owner"), "customer.owner.display_name"), Column(gettext_lazy("grade"), "grade"),
    Column(gettext_lazy("fitting grade"), "fitting_grade"), Column(gettext_lazy("credit limit"), "limit"),
    Column(gettext_lazy("proposed limit"), "proposed_limit"), Column(gettext_lazy("days overdue"), "overdue_days"),
    Column(gettext_lazy("broken promises"), "broken_promises"),
    Column(gettext_lazy("payment attitude"), lambda m: str(ATTITUDES.get(m.payment_attitude, "")) or None),
    Column(gettext_lazy("reasons"), lambda m: "; ".join(m.reasons) or None),
]


@login_required
def misfits_export(request):
    return export_response(selectors.grade_misfits(request.user), MISFITS_EXPORT,
                           sheet_name=_("Grade vs behaviour"), filename="credit-grade-misfits")


# --- the credit check on an order (CRD-3): registered on the order page (credit.registrations) -------------

def remember_refusal(request, order, message) -> None:
    """A refused confirmation is shown on the order page, the override form at hand; kept in
    the session across the redirect (POST → redirect → GET), so a reload repeats nothing."""
    request.session[f"credit-refused-{order.pk}"] = str(message)


def remember_discount_refusal(request, order, message) -> None:
    """ORD-1: as remember_refusal, for a confirmation refused for its discount."""
    request.session[f"credit-discount-refused-{order.pk}"] = str(message)


@login_required
@require_POST
def order_confirm(request, pk):
    order = order_get_for_user(user=request.user, pk=pk, write=True)

    def confirm(data):
        try:
            services.order_confirm(by=request.user, order=order, version=data["version"])
        except services.CreditRefused as exc:
            remember_refusal(request, order, exc.message)  # shown on the order page, with the override form
            return False
        except services.DiscountRefused as exc:
            remember_discount_refusal(request, order, exc.message)  # shown with the discount approval form
            return False
        return True

    return post_step(request, VersionForm(request.POST), confirm, back=order.get_absolute_url(),
                     done=_("Order %(number)s confirmed.") % {"number": order.number})


@login_required
@require_POST
def order_override(request, pk):
    order = order_get_for_user(user=request.user, pk=pk, write=True)
    return post_step(
        request, OverrideForm(request.POST),
        lambda data: services.credit_override_request(by=request.user, order=order, reasons=data["reasons"]),
        back=order.get_absolute_url(), invalid=_("Give the reasons for the override; nothing was asked for."),
        done=_("A one-off override of order %(number)s was asked for; it waits for approval.")
        % {"number": order.number})


@login_required
@require_POST
def order_discount(request, pk):
    """ORD-1: ask for a discount approval of a draft order whose prices need one."""
    order = order_get_for_user(user=request.user, pk=pk, write=True)
    return post_step(
        request, DiscountRequestForm(request.POST),
        lambda data: services.credit_discount_request(by=request.user, order=order, reasons=data["reasons"]),
        back=order.get_absolute_url(), invalid=_("Give the reasons for the discount; nothing was asked for."),
        done=_("A discount approval of order %(number)s was asked for; it waits for approval.")
        % {"number": order.number})

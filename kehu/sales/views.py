"""Sales pages: thin — parse the request, call a selector or service, render."""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kehu.accounts.selectors import office_choices_for, owner_choices_for
from kehu.core.access import parse_id, require
from kehu.core.capabilities import user_can
from kehu.core.errors import UserInputError
from kehu.core.excel import Column, export_response, field_column
from kehu.core.filtering import filterset_for
from kehu.core.forms import ImportFileForm, apply_line_errors
from kehu.core.money import money
from kehu.core.pagination import list_page
from kehu.core.reports import bar_chart, link, warn_ignored
from kehu.core.text import fold
from kehu.core.views import post_step
from kehu.customers.selectors import customer_get_for_user, customers_visible_to
from kehu.sales import selectors, services
from kehu.sales.capabilities import MAINTAIN_PRODUCTS, TAKE_ORDERS
from kehu.sales.forms import (
    ANALYSIS_GROUPS,
    AdvanceForm,
    AnalysisForm,
    FollowUpForm,
    OrderEditForm,
    OrderFilter,
    OrderForm,
    ProductFilter,
    ReturnFilter,
    compact_lines,
    line_forms,
    product_rows,
)
from kehu.sales.jobs import PRODUCT_IMPORT
from kehu.sales.models import Order, Product, Return

PAGE_SIZE = 50
# The order form offers this many customers at a time; a search narrows them down.
CUSTOMER_CHOICES = 100
Status = Order.Status


# --- products -------------------------------------------------------------------------------------------

@login_required
def product_list(request):
    filterset = filterset_for(request, ProductFilter, Product.objects.all())
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "sales/product_list.html", {
        "filter": filterset, "page": page, "lines": selectors.product_lines(),
        "can_import": user_can(request.user, MAINTAIN_PRODUCTS),
    })


PRODUCT_EXPORT = [field_column(Product, name) for name in ("code", "name", "spec", "unit", "list_price", "line",
                                                             "active")]


@login_required
def product_export(request):
    filterset = filterset_for(request, ProductFilter, Product.objects.all())
    return export_response(filterset.qs, PRODUCT_EXPORT, sheet_name=_("Products"), filename="products")


@login_required
@require_http_methods(["GET", "POST"])
def product_import(request):
    require(request.user, MAINTAIN_PRODUCTS, _("Only administrators maintain the product list."))
    form = ImportFileForm(request.POST or None, request.FILES or None)
    result, unknown = None, []
    if request.method == "POST" and form.is_valid():
        try:
            job = form.background(PRODUCT_IMPORT, by=request.user)  # a large file: in the worker
            if job is not None:
                return redirect(job)
            headers, body = form.table()
            rows, unknown = product_rows(headers, body)
            result = services.product_import(by=request.user, rows=rows)
        except UserInputError as exc:
            form.add_error("file", exc.message)
        else:
            if not result.refused:
                messages.success(request, _("Products imported: %(created)d new, %(updated)d updated.")
                                 % result.counts())
                return redirect("sales:product_list")
    return render(request, "sales/product_import.html", {"form": form, "result": result, "unknown": unknown,
                                                         "heading": _("Import products"),
                                                         "back": "sales:product_list"})


# --- orders ---------------------------------------------------------------------------------------------

def _orders(request):
    return filterset_for(request, OrderFilter, selectors.orders_visible_to(request.user))


@login_required
def order_list(request):
    filterset = _orders(request)
    page = list_page(request, filterset.qs, rows=selectors.order_list_rows(), generation=selectors.ORDER_LIST)
    customer_id = filterset.form.cleaned_data.get("customer_id") if filterset.is_bound else None
    return render(request, "sales/order_list.html", {
        "filter": filterset, "page": page,
        "status_choices": Status.choices,
        "owner_choices": owner_choices_for(request.user),
        "office_choices": office_choices_for(request.user),
        "line_choices": [(line, line) for line in selectors.product_lines()],
        # The customer the list is limited to, named (from the 360° page's "all orders" link).
        "only_customer": customers_visible_to(request.user).filter(pk=customer_id).first() if customer_id else None,
        "can_take": user_can(request.user, TAKE_ORDERS),
    })


ORDER_EXPORT = [
    Column(gettext_lazy("order number"), "number"), Column(gettext_lazy("order date"), "ordered_on"),
    Column(gettext_lazy("customer code"), "customer.code"), Column(gettext_lazy("customer"), "customer.name"),
    Column(gettext_lazy("salesperson"), "owner.display_name"), Column(gettext_lazy("office"), "office.name"),
    Column(gettext_lazy("status"), "get_status_display"), Column(gettext_lazy("total"), "total"),
    Column(gettext_lazy("returned"), "returned"), Column(gettext_lazy("net"), "net"),
    Column(gettext_lazy("note"), "note"),
]


@login_required
def order_export(request):
    return export_response(_orders(request).qs, ORDER_EXPORT, sheet_name=_("Orders"), filename="orders")


def _customer_choices(user, *, search: str, selected) -> list[tuple[int, str]]:
    """A short list of the user's customers for the order form, narrowed by a search."""
    qs = customers_visible_to(user)
    if search:
        qs = qs.filter(search_text__contains=fold(search)[:100])
    rows = list(qs.order_by("name", "id").values_list("pk", "name", "code")[:CUSTOMER_CHOICES])
    if selected and selected not in {pk for pk, _n, _c in rows}:
        rows = list(customers_visible_to(user).filter(pk=selected).values_list("pk", "name", "code")) + rows
    return [(pk, f"{name} · {code}") for pk, name, code in rows]


def _product_choices(extra_ids=()):
    """Products on sale (and those already on the order, so that a draft shows what it holds)."""
    products = selectors.products_active() | Product.objects.filter(pk__in=list(extra_ids))
    rows = list(products.order_by("code").values_list("pk", "code", "name", "unit", "list_price"))
    return ([(pk, f"{code} {name} ({unit})") for pk, code, name, unit, _p in rows],
            {str(pk): f"{price:.2f}" for pk, _c, _n, _u, price in rows})


def _order_form_page(request, *, form, lines, order=None, customer_choices=None, extra_products=()):
    products, prices = _product_choices(extra_products)
    return render(request, "sales/order_form.html", {
        "form": form, "lines": lines, "order": order, "customer_choices": customer_choices,
        "product_choices": products, "prices": prices, "search": request.GET.get("q", ""),
    })


@login_required
@require_http_methods(["GET", "POST"])
def order_create(request):
    require(request.user, TAKE_ORDERS, _("Your role does not take orders."))
    preset = None
    if request.GET.get("customer"):  # from the customer's 360° page; 404 outside the scope
        preset = customer_get_for_user(user=request.user, pk=request.GET["customer"], write=True)
    form = OrderForm(request.POST or None, customers=customers_visible_to(request.user),
                     initial={"customer": preset.pk if preset else None, "ordered_on": timezone.localdate()})
    lines = line_forms(request.POST or None)
    if request.method == "POST" and form.is_valid() and all(f.is_valid() for f in lines):
        filled = compact_lines(lines)
        try:
            order = services.order_create(by=request.user, customer=form.cleaned_data["customer"], lines=filled,
                                          ordered_on=form.cleaned_data["ordered_on"],
                                          note=form.cleaned_data["note"])
        except UserInputError as exc:
            apply_line_errors(form, exc)
            lines = line_forms(initial=filled)  # renumbered as the service counted them
        else:
            messages.success(request, _("Order %(number)s saved as a draft: %(total)s. Confirm it to check "
                                        "the credit limit.") % {"number": order.number, "total": money(order.total)})
            return redirect("sales:order_detail", order.pk)
    selected = form["customer"].value()
    selected = parse_id(selected)
    choices = _customer_choices(request.user, search=request.GET.get("q", "").strip(), selected=selected)
    return _order_form_page(request, form=form, lines=lines, customer_choices=choices)


@login_required
@require_GET
def order_customer_options(request):
    """The order form's customer <option>s for what is typed in its search (htmx): the first
    CUSTOMER_CHOICES matches instead of one list capped at them."""
    require(request.user, TAKE_ORDERS, _("Your role does not take orders."))
    choices = _customer_choices(request.user, search=request.GET.get("q", "").strip()[:100], selected=None)
    return render(request, "sales/_customer_options.html", {"customer_choices": choices})


@login_required
@require_http_methods(["GET", "POST"])
def order_edit(request, pk):
    order = selectors.order_get_for_user(user=request.user, pk=pk, write=True)
    require(request.user, TAKE_ORDERS, _("Your role does not take orders."))
    try:
        services.check_draft(order)
    except UserInputError as exc:
        messages.error(request, exc.message)
        return redirect("sales:order_detail", order.pk)
    current = list(selectors.order_lines_of(order))
    initial = [{"product": line.product_id, "quantity": line.quantity, "unit_price": line.unit_price,
                "discount_pct": line.discount_pct} for line in current]
    form = OrderEditForm(request.POST or None, initial={"version": order.version, "note": order.note})
    lines = line_forms(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid() and all(f.is_valid() for f in lines):
        filled = compact_lines(lines)
        try:
            services.order_replace_lines(by=request.user, order=order, version=form.cleaned_data["version"],
                                         lines=filled, note=form.cleaned_data["note"])
        except UserInputError as exc:
            apply_line_errors(form, exc)
            lines = line_forms(initial=filled)
        else:
            messages.success(request, _("Order %(number)s saved.") % {"number": order.number})
            return redirect("sales:order_detail", order.pk)
    return _order_form_page(request, form=form, lines=lines, order=order,
                            extra_products=[line.product_id for line in current])


@login_required
def order_detail(request, pk):
    return _detail_page(request, selectors.order_get_for_user(user=request.user, pk=pk))


def _detail_page(request, order):
    """The order page. Steps that belong to upper apps — confirming under the credit check,
    the one-off override, invoicing, a return with its credit note — are their registered
    actions and panels (core.registry), rendered here without naming them."""
    return render(request, "sales/order_detail.html", {
        "order": order, "lines": selectors.order_lines_of(order), "returns": selectors.returns_of_order(order),
        "changes": selectors.order_status_changes(order), "actions": services.order_actions(user=request.user, order=order),
    })


STEP_DONE = {
    Status.DELIVERED: gettext_lazy("Order %(number)s marked as delivered."),
    Status.CANCELLED: gettext_lazy("Order %(number)s cancelled."),
}


@login_required
@require_POST
def order_advance(request, pk):
    order = selectors.order_get_for_user(user=request.user, pk=pk, write=True)
    form = AdvanceForm(request.POST)
    to = form.data.get("to")
    return post_step(
        request, form,
        lambda data: services.order_advance(by=request.user, order=order, version=data["version"], to=data["to"],
                                            on=data["on"], reason=data["reason"]),
        back=order.get_absolute_url(), done=str(STEP_DONE.get(to, "")) % {"number": order.number})


# --- returns --------------------------------------------------------------------------------------------

@login_required
def return_list(request):
    filterset = filterset_for(request, ReturnFilter, selectors.returns_visible_to(request.user))
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "sales/return_list.html", {
        "filter": filterset, "page": page, "kind_choices": Return.Kind.choices,
        "reason_choices": Return.Reason.choices,
    })


def _return_page(request, ret, *, form=None):
    return render(request, "sales/return_detail.html", {
        "ret": ret, "lines": selectors.return_lines_of(ret),
        "credit_note": getattr(ret, "credit_note", None),
        "form": form or FollowUpForm(initial={"follow_up": ret.follow_up, "done": ret.follow_up_done}),
        "can_follow_up": user_can(request.user, TAKE_ORDERS),
    })


@login_required
def return_detail(request, pk):
    ret = selectors.return_get_for_user(user=request.user, pk=pk)
    return _return_page(request, ret)


@login_required
@require_POST
def return_follow_up(request, pk):
    ret = selectors.return_get_for_user(user=request.user, pk=pk)
    require(request.user, TAKE_ORDERS, _("Your role does not record returns."))
    form = FollowUpForm(request.POST)
    if not form.is_valid():
        return _return_page(request, ret, form=form)
    services.return_follow_up(by=request.user, ret=ret, follow_up=form.cleaned_data["follow_up"],
                              done=form.cleaned_data["done"])
    messages.success(request, _("Follow-up of return %(number)s saved.") % {"number": ret.number})
    return redirect("sales:return_detail", ret.pk)


@login_required
def returns_analysis(request):
    form = AnalysisForm(request.GET)
    warn_ignored(request, form)
    start, end = form.period()
    by = form.group()
    rows = selectors.returns_analysis(request.user, start=start, end=end, by=by)
    total = sum((r["amount"] for r in rows), Decimal("0"))
    count = sum(r["count"] for r in rows)
    for r in rows:
        r["share"] = (r["amount"] * 100 / total).quantize(Decimal("0.1")) if total else Decimal("0")
    chart = bar_chart([r["label"] for r in rows], [("", [r["amount"] for r in rows])], horizontal=by != "month",
                      colors=["#0d6efd"], height="32rem" if len(rows) > 12 else "22rem")
    return render(request, "sales/returns_analysis.html", {
        "form": form, "rows": rows, "by": by, "start": start, "end": end, "total": total, "count": count,
        "chart": chart, "groups": ANALYSIS_GROUPS, "group_label": ANALYSIS_GROUPS.label(by),
        "returns_url": link("sales:return_list", date_from=start.isoformat(), date_to=end.isoformat()),
    })

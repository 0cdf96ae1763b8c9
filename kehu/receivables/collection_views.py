"""Collection work and reports: ageing (AR-3), collection rate (AR-4), tasks, attempts and
promises (AR-2). Thin: parse the request, call a selector or service, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_http_methods

from kehu.core import periods
from kehu.core.access import require
from kehu.core.capabilities import user_can
from kehu.core.errors import UserInputError
from kehu.core.excel import Column, export_response
from kehu.core.forms import apply_field_errors
from kehu.core.money import money
from kehu.core.reports import bar_chart, link, warn_ignored
from kehu.core.views import next_url
from kehu.customers.selectors import customer_get_for_user, key_people_of
from kehu.receivables import selectors, services
from kehu.receivables.capabilities import COLLECT, SEE_RECEIVABLES
from kehu.receivables.collection_forms import (
    AGEING_GROUPS,
    RATE_GROUPS,
    RATE_PRESETS,
    AgeingForm,
    AttemptForm,
    CancelPromiseForm,
    DrillDownForm,
    PromiseFilterForm,
    RateForm,
    default_group,
)
from kehu.receivables.models import CollectionAttempt, Promise

PAGE_SIZE = 50
# The ageing chart shows the groups with the most overdue; the table shows them all.
CHART_ROWS = 20
# The buckets' colours, from current (green) to longest overdue.
BUCKET_COLORS = ["#198754", "#ffc107", "#fd7e14", "#dc3545", "#a61e4d", "#6f42c1"]


def _require_reader(user) -> None:
    """Every collection page: money is not after-sales service's function (403)."""
    require(user, SEE_RECEIVABLES, _("Your role does not see receivables."))


def _label_of(choices, value) -> str:
    return str(dict(choices).get(value, value))


# --- AR-3: ageing ------------------------------------------------------------------------------------------

def _ageing_request(request) -> tuple[dict, list, selectors.AgeingRow]:
    form = AgeingForm(request.GET)
    warn_ignored(request, form)
    chosen = form.values({"as_of": timezone.localdate(), "by": default_group(request.user)})
    rows, total = selectors.ageing(request.user, as_of=chosen["as_of"], by=chosen["by"])
    return chosen, rows, total


@login_required
def ageing(request):
    _require_reader(request.user)
    chosen, rows, total = _ageing_request(request)
    shown = rows[:CHART_ROWS]
    chart = bar_chart([r.label for r in shown], [(label, [r.buckets[key] for r in shown]) for key, label in selectors.BUCKETS],
                      horizontal=True, stacked=True, colors=BUCKET_COLORS, pointer="shadow",
                      height="30rem" if len(rows) > 8 else "20rem")
    # Most overdue first, a page at a time: a company has hundreds of salespeople and thousands
    # of customers (the export has them all).
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "receivables/ageing.html", {
        "rows": rows, "page": page, "total": total, "as_of": chosen["as_of"], "by": chosen["by"], "groups": AGEING_GROUPS,
        "group_label": AGEING_GROUPS.label(chosen["by"]), "buckets": selectors.BUCKETS, "chart": chart,
        "today": timezone.localdate(),
        "export_url": link("receivables:ageing_export", as_of=chosen["as_of"].isoformat(), by=chosen["by"]),
    })


@login_required
def ageing_export(request):
    _require_reader(request.user)
    chosen, rows, total = _ageing_request(request)
    columns = ([Column(AGEING_GROUPS.label(chosen["by"]), "label")]
               + [Column(label, lambda row, key=key: row.buckets[key]) for key, label in selectors.BUCKETS]
               + [Column(_("open total"), "open_total"), Column(_("on account"), "on_account"),
                  Column(_("balance"), "balance")])
    sheet = _("Ageing %(day)s") % {"day": chosen["as_of"].isoformat()}
    return export_response([*rows, total], columns, sheet_name=sheet, filename=f"ageing-{chosen['as_of']:%Y%m%d}")


@login_required
def ageing_invoices(request):
    """AR-3 drill-down: the invoices behind one cell of the ageing table, as of its day."""
    _require_reader(request.user)
    form = DrillDownForm(request.GET)
    warn_ignored(request, form)
    chosen = form.values({"as_of": timezone.localdate(), "by": "company", "bucket": "", "key": None})
    as_of, by, key = chosen["as_of"], chosen["by"], chosen["key"]
    if by == "company":
        key = None
    invoices = selectors.ageing_invoices(request.user, as_of=as_of, bucket=chosen["bucket"] or None, by=by, key=key)
    page = Paginator(invoices, PAGE_SIZE).get_page(request.GET.get("page"))
    for invoice in page.object_list:
        invoice.late = invoice.days_overdue(as_of, open_amount=invoice.open_on)
    return render(request, "receivables/ageing_invoices.html", {
        "page": page, "as_of": as_of, "by": by, "key": key,
        "bucket_label": _label_of(selectors.BUCKETS, chosen["bucket"]) if chosen["bucket"] else _("all open"),
        "row_label": selectors.group_label(request.user, by=by, key=key) if key else "",
        "group_label": AGEING_GROUPS.label(by),
    })


# --- AR-4: collection rate -------------------------------------------------------------------------------

def _rate_request(request):
    form = RateForm(request.GET)
    warn_ignored(request, form)
    today = timezone.localdate()
    start, end, preset = form.period(today)
    by = form.values({"by": default_group(request.user)})["by"]
    rows, total = selectors.collection_rate(request.user, start=start, end=end, by=by)
    before_start, before_end = periods.previous_period(start, end)
    before_rows, before_total = selectors.collection_rate(request.user, start=before_start, end=before_end, by=by)
    before = {r.key: r for r in before_rows}

    def compared(row, earlier):
        rate = earlier.rate if earlier else None
        return {"row": row, "before": rate,
                "change": row.rate - rate if row.rate is not None and rate is not None else None}

    return {"lines": [compared(r, before.get(r.key)) for r in rows], "total": compared(total, before_total),
            "start": start, "end": end, "preset": preset, "by": by, "before_start": before_start,
            "before_end": before_end, "today": today}


@login_required
def collection_rate(request):
    _require_reader(request.user)
    context = _rate_request(request)
    context.update(page=Paginator(context["lines"], PAGE_SIZE).get_page(request.GET.get("page")),
                   groups=RATE_GROUPS, group_label=RATE_GROUPS.label(context["by"]),
                   presets=periods.preset_choices(*RATE_PRESETS),
                   export_url=link("receivables:collection_rate_export", start=context["start"].isoformat(),
                                   end=context["end"].isoformat(), by=context["by"]))
    return render(request, "receivables/rate.html", context)


@login_required
def collection_rate_export(request):
    _require_reader(request.user)
    context = _rate_request(request)
    columns = [Column(RATE_GROUPS.label(context["by"]), "row.label"), Column(pgettext("amount due", "due"), "row.due"),
               Column(_("collected"), "row.collected"), Column(_("collection rate %"), "row.rate"),
               Column(_("previous period %"), "before"), Column(_("change (points)"), "change")]
    return export_response([*context["lines"], context["total"]], columns, sheet_name=_("Collection rate"),
                           filename=f"collection-rate-{context['start']:%Y%m%d}-{context['end']:%Y%m%d}")


# --- AR-2: collection work ---------------------------------------------------------------------------------

@login_required
def collection_work(request):
    """催收: what the user's scope has to collect today."""
    _require_reader(request.user)
    today = timezone.localdate()
    user = request.user
    return render(request, "receivables/collection_work.html", {
        "tasks": Paginator(selectors.collection_tasks_for(user, on=today), PAGE_SIZE).get_page(
            request.GET.get("tasks")),
        "promises": Paginator(selectors.promises_due_for(user, on=today).select_related("customer__owner"),
                              PAGE_SIZE).get_page(request.GET.get("promises")),
        "overdue": Paginator(selectors.overdue_without_task(user, on=today), PAGE_SIZE).get_page(
            request.GET.get("overdue")),
        "today": today, "can_collect": user_can(user, COLLECT),
    })


def _task_of(user, customer, value):
    """The collection task the attempt answers, if it is this customer's (else None, with why)."""
    try:
        task = selectors.task_get_for_user(user=user, pk=value)
    except Http404:
        return None, _("Unknown collection task “%(task)s”.") % {"task": str(value)[:20]}
    if task.customer_id != customer.pk:
        return None, _("That collection task is not this customer's.")
    return task, ""


def customer_key_people(customer) -> list:
    """The customer's current key people, offered as who promised (CUS-2)."""
    return list(key_people_of(customer).filter(is_current=True).order_by("role", "name"))


@login_required
@require_http_methods(["GET", "POST"])
def attempt_create(request, pk):
    """AR-2: log an attempt to collect from a customer, optionally against a task or an
    invoice; "promised to pay" records the promise."""
    _require_reader(request.user)
    customer = customer_get_for_user(user=request.user, pk=pk)
    require(request.user, COLLECT, _("Your role does not collect payments."))
    source = request.POST if request.method == "POST" else request.GET
    task, task_problem = None, ""
    if source.get("task"):
        task, task_problem = _task_of(request.user, customer, source["task"])
    invoices = list(selectors.open_invoices_of(customer.pk))
    if task is not None and task.invoice_id and task.invoice_id not in {i.pk for i in invoices}:
        invoices.append(task.invoice)
    invoice = source.get("invoice") or (task.invoice_id if task else None)
    chosen = next((i for i in invoices if str(i.pk) == str(invoice)), None)
    form = AttemptForm(request.POST if request.method == "POST" else None, invoices=invoices,
                       people=customer_key_people(customer), initial={
        "task": task.pk if task else None, "invoice": invoice, "next": source.get("next", "")[:500],
        "channel": CollectionAttempt.Channel.VISIT if task and task.kind == "visit" else CollectionAttempt.Channel.CALL,
        # AR-2: the promise is prefilled with what is open on the invoice (or what the task asks).
        "promised_amount": f"{chosen.open_amount:.2f}" if chosen else f"{task.amount:.2f}" if task else ""})
    second_promise = bool(request.POST.get("keep_both"))
    if request.method == "GET" and task_problem:
        messages.warning(request, task_problem)
    if request.method == "POST" and task_problem:
        form.add_error(None, task_problem)
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            attempt = services.attempt_log(
                by=request.user, customer=customer, channel=data["channel"], outcome=data["outcome"],
                note=data["note"], invoice=data["invoice"], task=task, promised_on=data["promised_on"],
                promised_amount=data["promised_amount"], contact=data["contact"], made_on=data["made_on"],
                keep_both=data["keep_both"])
        except services.SecondPromise as exc:  # shown with the box that confirms it
            second_promise = True
            form.add_error(None, exc.message)
        except UserInputError as exc:
            apply_field_errors(form, exc)
            if exc.field_errors:  # the message names the problem better than the field's short note
                form.add_error(None, exc.message)
        else:
            if attempt.promise:
                messages.success(request, _("Attempt logged: %(name)s promised to pay %(amount)s on %(on)s.")
                                 % {"name": customer.name, "amount": money(attempt.promise.amount),
                                    "on": attempt.promise.promised_on.isoformat()})
            else:
                messages.success(request, _("Attempt logged for %(name)s: %(outcome)s.")
                                 % {"name": customer.name, "outcome": attempt.get_outcome_display()})
            back = next_url(request, data["next"])
            return redirect(back) if back else redirect("customers:detail", customer.pk)
    return render(request, "receivables/collection_attempt.html", {
        "form": form, "customer": customer, "task": task, "attempts": selectors.attempts_of(customer, limit=5),
        "promised": CollectionAttempt.Outcome.PROMISED, "second_promise": second_promise,
        "back": next_url(request, source.get("next", "")) or reverse("customers:detail", args=[customer.pk]),
    })


# --- AR-2: promises to pay -------------------------------------------------------------------------------

@login_required
def promise_list(request):
    _require_reader(request.user)
    form = PromiseFilterForm(request.GET)
    warn_ignored(request, form)
    status = form.values({"status": ""})["status"]
    promises = selectors.promises_visible_to(request.user).order_by("-promised_on", "-id")
    if status:
        promises = promises.filter(status=status)
    page = Paginator(promises, PAGE_SIZE).get_page(request.GET.get("page"))
    for promise in page:
        promise.may_cancel = services.may_cancel(request.user, promise)
    return render(request, "receivables/collection_promises.html", {
        "page": page, "status": status,
        "statuses": Promise.Status.choices, "can_collect": user_can(request.user, COLLECT),
        "today": timezone.localdate(),
    })


@login_required
@require_http_methods(["GET", "POST"])
def promise_cancel(request, pk):
    """Cancel an open promise to pay (asked for by mistake, or superseded), after a
    confirmation page."""
    _require_reader(request.user)
    promise = selectors.promise_get_for_user(user=request.user, pk=pk)
    require(request.user, COLLECT, _("Your role does not collect payments."))
    try:
        services.check_cancellable(promise)
    except UserInputError as exc:
        messages.error(request, exc.message)
        return redirect("receivables:promise_list")
    form = CancelPromiseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.promise_cancel(by=request.user, promise=promise, reason=form.cleaned_data["reason"])
        except UserInputError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The promise of %(name)s to pay %(amount)s on %(on)s was cancelled.")
                             % {"name": promise.customer.name, "amount": money(promise.amount),
                                "on": promise.promised_on.isoformat()})
        return redirect("receivables:promise_list")
    return render(request, "receivables/collection_promise_cancel.html", {"promise": promise, "form": form})

"""Error pages, the lazy panels of record pages, the one-step POST every action button uses, and
the health check of the load balancer."""

import sys

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from kehu.core import health
from kehu.core.access import get_for_user
from kehu.core.errors import UserInputError
from kehu.core.forms import STALE_FORM, apply_field_errors
from kehu.core.registry import Panel, RecordPage, registry

API_PREFIX = "/api/"
TAB = "tab"


def next_url(request, value: str | None = None) -> str | None:
    """Where to go back after a form started on another page: `value` (else the request's
    `next`), only when it is a URL of this site; None otherwise (an outside address is ignored)."""
    if value is None:
        value = request.POST.get("next") or request.GET.get("next") or ""
    if value and url_has_allowed_host_and_scheme(value, allowed_hosts={request.get_host()},
                                                 require_https=request.is_secure()):
        return value
    return None


def chosen_tab(request, tabs, default: str) -> str:
    """The tab a page opens on: `?tab=` when it names one of `tabs`, else `default`. A form
    started on a tab passes the page's URL with its tab as `next` (next_url), so saving it
    returns to the tab it came from; kehu.js keeps `?tab=` in the address as tabs change."""
    value = request.GET.get(TAB, "")
    return value if value in tabs else default


def here_on_tab(request, tab: str) -> str:
    """The page's own address opened on `tab`: the `next` of the forms a tab starts."""
    return f"{request.path}?{TAB}={tab}"


def _error(request, status, title, message):
    """An error answer: the error page, or under the API the JSON body every API error has
    (core.api.exception_handler) — also for what fails before DRF is reached (a path id that
    is no number, a body over the size limit, a server error)."""
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": str(message), "code": ERROR_CODES[status]}, status=status)
    return render(request, "core/error.html", {"title": title, "message": message}, status=status)


ERROR_CODES = {400: "bad_request", 403: "permission_denied", 404: "not_found", 500: "server_error", 503: "busy"}


def bad_request(request, exception=None):
    return _error(request, 400, _("Bad request"), _("The request could not be understood. Nothing was changed."))


def permission_denied(request, exception=None):
    message = str(exception) if exception and str(exception) else _("Your role may not do this.")
    return _error(request, 403, _("Not allowed"), message)


def page_not_found(request, exception=None):
    return _error(request, 404, _("Not found"), _("This page does not exist or is outside your scope."))


def server_error(request):
    from kehu.core.middleware import is_busy

    if is_busy(sys.exc_info()[1]):  # a lock timeout outside a view (a session saved after it)
        return busy(request)
    return _error(request, 500, _("Something went wrong"), _("The error was logged. Nothing was changed."))


def busy(request, exception=None):
    """PLT-4: the database was locked by another write for longer than its timeout (SQLite);
    the write was rolled back, the user tries again."""
    response = _error(request, 503, _("Busy"), _("The system is busy with another change; nothing was changed. "
                                                  "Please try again in a moment."))
    response["Retry-After"] = "5"
    return response


@never_cache
@require_safe
def healthz(request):
    """GET /healthz, for the load balancer, without a login (docs/deploy.md): 200 `ok` when the
    database, the cache and the task queue answer, else 503 naming the parts that did not. No
    data, no address, no error text in the body: anyone may ask."""
    failed = health.failures()
    if failed:
        return HttpResponse("unavailable: " + ", ".join(failed), status=503, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")


@login_required
def panel(request, page: str, key: str, pk: int):
    """A lazy panel (core.registry.Panel), fetched by htmx when its tab is first shown."""
    record_page = registry.find(RecordPage, page)
    found = registry.find(Panel, key, page=page)
    if record_page is None or found is None:
        raise Http404
    if not found.visible(request.user):
        raise PermissionDenied
    record = record_page.get(request, pk)
    extra = found.context(request, record)
    if extra is None:
        raise Http404
    return render(request, found.template, extra)


def saved(request, form, save, *, done, back):
    """A form whose data a service saves — `save(cleaned_data)` — on a POST with valid data: the
    redirect to `back` with `done` flashed; else None, with a refusal on the form (its field
    errors on their fields), for the caller to show the form again. `done` and `back` may be
    functions of what `save` returned (a record just created)."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        result = save(form.cleaned_data)
    except UserInputError as exc:
        apply_field_errors(form, exc)
        return None
    messages.success(request, done(result) if callable(done) else done)
    return redirect(back(result) if callable(back) else back)


def post_step(request, form, act, *, done: str, back: str, invalid: str | None = None):
    """A button that runs one service step and returns to its page (POST → redirect): a form
    out of date gets `invalid` (by default STALE_FORM), a refusal its own message, success `done`;
    nothing is changed unless the service ran. `act(cleaned_data)` calls the service; it returns
    False when it showed the outcome itself (e.g. a refusal shown on the page)."""
    if not form.is_valid():
        messages.error(request, str(invalid or STALE_FORM))
    else:
        try:
            outcome = act(form.cleaned_data)
        except UserInputError as exc:
            messages.error(request, exc.message)
        else:
            if outcome is not False:
                messages.success(request, done)
    return redirect(back)


# --- background jobs (core.jobs) ---------------------------------------------------------------------------

def _job(request, pk):
    from kehu.core import jobs

    return get_for_user(jobs.for_user(request.user).select_related("created_by"), pk, user=request.user)


@login_required
def job(request, pk: int):
    """A job's progress page; it polls its progress fragment every second until the job ends,
    then shows the result page. Another user's job is 404."""
    found = _job(request, pk)
    if found.finished:
        return redirect("core:job_result", pk=found.pk)
    return render(request, "core/job.html", _job_context(found))


@login_required
def job_progress(request, pk: int):
    """The progress fragment htmx polls; once the job has ended it sends the browser on to the
    result page."""
    found = _job(request, pk)
    if found.finished and request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = reverse("core:job_result", args=[found.pk])
        return response
    return render(request, "core/_job_progress.html", _job_context(found))


@login_required
def job_result(request, pk: int):
    """The result of an ended job: its kind's own page, or the message, the counts and the bad
    rows by line (core/job_result.html)."""
    from kehu.core import jobs

    found = _job(request, pk)
    if not found.finished:
        return redirect("core:job", pk=found.pk)
    kind = jobs.kind_of(found)
    if kind is not None and kind.result is not None:
        return kind.result(request, found)
    return render(request, "core/job_result.html", {**_job_context(found), "result": found.result,
                                                    "errors": found.result.get("errors") or []})


def _job_context(found) -> dict:
    from kehu.core import jobs

    kind = jobs.kind_of(found)
    return {"job": found, "heading": kind.label if kind else found.kind, "back": kind.back if kind else ""}

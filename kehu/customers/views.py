"""Customer pages: thin — parse the request, call a selector or service, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kehu.accounts.selectors import office_choices_for, owner_choices_for, salespeople_for
from kehu.core import jobs
from kehu.core.access import parse_id, require
from kehu.core.capabilities import user_can
from kehu.core.errors import UserInputError
from kehu.core.excel import Column, export_response, field_column
from kehu.core.filtering import filterset_for
from kehu.core.forms import ImportFileForm, apply_field_errors
from kehu.core.pagination import list_page
from kehu.core.registry import Panel, registry
from kehu.core.roles import Scope
from kehu.core.scopes import in_chain_of_command, scope_of
from kehu.core.views import chosen_tab, here_on_tab, saved
from kehu.customers import display, importing, selectors, services
from kehu.customers import jobs as customer_jobs
from kehu.customers.capabilities import CLAIM_FROM_POOL, EDIT_CUSTOMERS, REASSIGN_CUSTOMERS, SEE_POOL
from kehu.customers.filters import CustomerFilter, PoolFilter
from kehu.customers.forms import (
    CustomerCreateForm,
    CustomerForm,
    ImportCommitForm,
    KeyPersonForm,
    NoteForm,
    ReassignForm,
)
from kehu.customers.models import Customer, PoolPolicy


def _filtered(request):
    """The user's customers with the list's filters (bad values reported and ignored)."""
    return filterset_for(request, CustomerFilter, selectors.customers_visible_to(request.user))


@login_required
def customer_list(request):
    filterset = _filtered(request)
    page = list_page(request, filterset.qs, rows=selectors.customer_list_rows(), generation=selectors.CUSTOMER_LIST)
    context = {
        "filter": filterset,
        "page": page,
        "owner_choices": owner_choices_for(request.user),
        "office_choices": office_choices_for(request.user),
        "can_reassign": user_can(request.user, REASSIGN_CUSTOMERS),
        "can_edit": user_can(request.user, EDIT_CUSTOMERS),
        # A salesperson's list is all their own: the owner and office columns would say so fifty times.
        "show_owner": scope_of(request.user) != Scope.OWN,
        "extra_columns": registry.columns_for("customers", request.user, [c.pk for c in page.object_list]),
    }
    return render(request, "customers/list.html", context)


def _shown(name):
    """A card's value as the card shows it: choices by their label (which the import reads back),
    an empty choice or list as an empty cell."""
    def value(customer):
        raw = getattr(customer, name)
        return getattr(customer, f"get_{name}_display")() if raw else ""
    return value


# The columns of the import, in its order, so that an export can be imported again.
EXPORT_COLUMNS = [
    field_column(Customer, name, value=(
        "owner.username" if name == "owner" else "developed_by.username" if name == "developed_by"
        else _shown(name) if name == "transport_modes" or Customer._meta.get_field(name).choices else name))
    for name in importing.COLUMNS]


@login_required
def customer_export(request):
    customers = _filtered(request).qs.select_related("developed_by")
    return export_response(customers, EXPORT_COLUMNS, sheet_name=_("Customers"), filename="customers")


TABS = ("card", "people", "notes", "business", "service", "history")
PANEL_TABS = {"business", "service"}  # shown only when an upper app registered a panel for the user


def _tabs_shown(user) -> list[str]:
    with_panels = {panel.tab for panel in registry.of(Panel, page="customer") if panel.visible(user)}
    return [tab for tab in TABS if tab not in PANEL_TABS or tab in with_panels]


@login_required
def customer_detail(request, pk):
    """CUS-3: the 360° page. It opens on `?tab=` (a form started on a tab comes back to it)."""
    customer = selectors.customer_for_360(user=request.user, pk=pk)
    roles = {p.role for p in customer.current_people}
    tab = chosen_tab(request, _tabs_shown(request.user), "card")
    context = {
        "tab": tab, "next_here": here_on_tab(request, tab),
        "customer": customer,
        "sections": display.card_sections(customer),
        "missing": services.rules.missing_fields(customer, roles),
        "people": selectors.key_people_of(customer),
        "notes": selectors.notes_visible_to(user=request.user, customer=customer)[:50],
        "note_form": NoteForm(),
        "history": selectors.customer_history(customer, limit=30),
        "people_history": selectors.key_person_history(customer, limit=30),
        "reassignments": customer.reassignments.select_related("from_owner", "to_owner", "by")[:30],
        "events": customer.events.select_related("by")[:30],
        "can_edit": user_can(request.user, EDIT_CUSTOMERS),
        "sees_private": in_chain_of_command(request.user, owner=customer.owner),
    }
    return render(request, "customers/detail.html", context)


@login_required
def customer_print(request, pk):
    customer = selectors.customer_for_360(user=request.user, pk=pk)
    return render(request, "customers/print.html", {"customer": customer, "people": customer.current_people})


@login_required
@require_http_methods(["GET", "POST"])
def customer_create(request):
    require(request.user, EDIT_CUSTOMERS, _("Your role can read customer cards but not create them."))
    duplicates = []
    form = CustomerCreateForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k in services.EDITABLE_FIELDS}
        try:
            customer = services.customer_create(
                by=request.user, data=data, owner=form.cleaned_data.get("owner"),
                on_duplicate=form.cleaned_data.get("on_duplicate") or None,
                merge_into=form.cleaned_data.get("merge_into"),
            )
        except services.DuplicateFound as exc:
            duplicates = exc.seen
            form.add_error(None, exc.message)
        except UserInputError as exc:
            apply_field_errors(form, exc)
        else:
            messages.success(request, _("Customer %(name)s saved as %(code)s.") % {"name": customer.name,
                                                                                 "code": customer.code})
            return redirect("customers:detail", customer.pk)
    return render(request, "customers/form.html", {"form": form, "duplicates": duplicates, "creating": True})


@login_required
@require_http_methods(["GET", "POST"])
def customer_edit(request, pk):
    customer = _get_for_write(request, pk)
    form = CustomerForm(request.POST or None, instance=customer, user=request.user)
    done = saved(request, form, lambda data: services.customer_update(
        by=request.user, customer=customer, version=data.get("version") or 0,
        data={k: v for k, v in data.items() if k in services.EDITABLE_FIELDS}),
        done=_("Changes to %(name)s saved.") % {"name": customer.name}, back=customer.get_absolute_url())
    return done or render(request, "customers/form.html", {"form": form, "customer": customer})


def _get_for_write(request, pk):
    return selectors.customer_get_for_user(user=request.user, pk=pk, write=True)


@login_required
@require_http_methods(["GET", "POST"])
def key_person_add(request, pk):
    customer = _get_for_write(request, pk)
    form = KeyPersonForm(request.POST or None)
    done = saved(request, form, lambda data: services.key_person_add(
        by=request.user, customer=customer, data={k: v for k, v in data.items() if k in services.KEY_PERSON_FIELDS}),
        done=_("Key person added."), back=customer.get_absolute_url())
    return done or render(request, "customers/person_form.html", {"form": form, "customer": customer})


@login_required
@require_http_methods(["GET", "POST"])
def key_person_edit(request, pk, person_pk):
    customer = _get_for_write(request, pk)
    person = selectors.key_person_get_for_user(user=request.user, pk=person_pk, write=True)
    if person.customer_id != customer.pk:
        raise PermissionDenied(_("This person belongs to another customer."))
    form = KeyPersonForm(request.POST or None, instance=person)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "end":
                services.key_person_end(by=request.user, person=person, version=int(request.POST.get("version") or 0))
                messages.success(request, _("%(name)s is marked as having left.") % {"name": person.name})
                return redirect("customers:detail", customer.pk)
            if form.is_valid():
                data = {k: v for k, v in form.cleaned_data.items() if k in services.KEY_PERSON_FIELDS}
                services.key_person_update(by=request.user, person=person,
                                           version=form.cleaned_data.get("version") or 0, data=data)
                messages.success(request, _("Key person saved."))
                return redirect("customers:detail", customer.pk)
        except UserInputError as exc:
            apply_field_errors(form, exc)
    return render(request, "customers/person_form.html", {"form": form, "customer": customer, "person": person})


@login_required
@require_POST
def note_add(request, pk):
    customer = selectors.customer_get_for_user(user=request.user, pk=pk)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            services.note_add(by=request.user, customer=customer, **form.cleaned_data)
            messages.success(request, _("Note added."))
        except UserInputError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, _("The note is empty or too long; nothing was saved."))
    return redirect(reverse("customers:detail", args=[customer.pk]) + "?tab=notes")


@login_required
@require_http_methods(["GET", "POST"])
def customer_reassign(request):
    require(request.user, REASSIGN_CUSTOMERS, _("Only managers can reassign customers."))
    form = ReassignForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        ids = request.POST.getlist("ids")
        if form.cleaned_data.get("from_owner") is not None:
            ids = selectors.customer_ids_owned_by(user=request.user, owner=form.cleaned_data["from_owner"])
        try:
            services.customers_reassign(by=request.user, customer_ids=ids, to_owner=form.cleaned_data["to_owner"],
                                        reason=form.cleaned_data["reason"])
        except UserInputError as exc:
            messages.error(request, exc.message)
        except ValueError:
            messages.error(request, _("The selection is not valid; nothing was reassigned."))
        else:
            messages.success(request, _("%(count)d customers reassigned to %(owner)s.")
                             % {"count": len(set(ids)), "owner": form.cleaned_data["to_owner"]})
            return redirect("customers:list")
    elif request.method == "POST":
        messages.error(request, _("Choose a successor and give a reason; nothing was reassigned."))
    return render(request, "customers/reassign.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def customer_import(request):
    require(request.user, EDIT_CUSTOMERS, _("Your role can read customer cards but not import them."))
    report, commit_form = None, None
    form = ImportFileForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and "token" in request.POST:
        commit_form = ImportCommitForm(request.POST)
        if commit_form.is_valid():
            choices = {k: str(v) for k, v in commit_form.cleaned_data.items()}
            if importing.commit_waits(choices["token"]):  # many rows: written by the worker
                return redirect(jobs.start(customer_jobs.COMMIT, by=request.user, params=choices))
            try:
                result = importing.import_commit(by=request.user, **choices)
            except UserInputError as exc:
                messages.error(request, exc.message)
                report = _safe_reload(request, commit_form.cleaned_data["token"])
            else:
                messages.success(request, customer_jobs.commit_message(result))
                return redirect("customers:list")
        form = ImportFileForm()
    elif request.method == "POST" and form.is_valid():
        try:
            job = form.background(customer_jobs.PREVIEW, by=request.user)  # a large file: checked by the worker
            if job is not None:
                return redirect(job)
            headers, rows = form.table()
            report = importing.import_preview(by=request.user, headers=headers, rows=rows)
            commit_form = ImportCommitForm(initial={"token": report.token})
        except UserInputError as exc:
            form.add_error("file", exc.message)
    # CUS-8: similar customers outside the user's scope show only their owner and office.
    similar = [(line, name, selectors.duplicates_seen_by(request.user, found))
               for line, name, found in (report.duplicates[:500] if report else [])]
    return render(request, "customers/import.html", {"form": form, "report": report, "commit_form": commit_form,
                                                     "similar": similar})


def _safe_reload(request, token):
    try:
        return importing.import_load(by=request.user, token=token)
    except UserInputError:
        return None


# --- the pool 公海 (CUS-7) ---------------------------------------------------------------------------------------

def _pool_filtered(request):
    require(request.user, SEE_POOL, _("Your role does not work with the customer pool."))
    return filterset_for(request, PoolFilter, selectors.pool_visible_to(request.user))


@login_required
def pool_list(request):
    filterset = _pool_filtered(request)
    page = list_page(request, filterset.qs, rows=selectors.pool_list_rows(), generation=selectors.CUSTOMER_LIST)
    can_claim = user_can(request.user, CLAIM_FROM_POOL)
    context = {
        "filter": filterset,
        "page": page,
        "office_choices": office_choices_for(request.user),
        "can_claim": can_claim,
        "claim_prompt": _("Claim %(name)s? It becomes your customer."),
        "can_assign": user_can(request.user, REASSIGN_CUSTOMERS),
        "owner_choices": owner_choices_for(request.user),
        "owned": selectors.owned_count(request.user) if can_claim else None,
        "limit": PoolPolicy.current().owner_limit,
    }
    return render(request, "customers/pool.html", context)


POOL_EXPORT_COLUMNS = [
    field_column(Customer, "code"), field_column(Customer, "name"), field_column(Customer, "grade"),
    field_column(Customer, "category", value=_shown("category")), field_column(Customer, "status", value=_shown("status")),
    field_column(Customer, "address"), field_column(Customer, "office", value="office.name"),
    Column(Customer._meta.get_field("pooled_at").verbose_name,
           lambda c: c.pooled_at and timezone.localtime(c.pooled_at).strftime("%Y-%m-%d %H:%M")),
]


@login_required
def pool_export(request):
    return export_response(_pool_filtered(request).qs, POOL_EXPORT_COLUMNS, sheet_name=_("Customer pool"),
                           filename="customer-pool")


@login_required
@require_POST
def pool_claim(request, pk):
    require(request.user, SEE_POOL, _("Your role does not work with the customer pool."))
    require(request.user, CLAIM_FROM_POOL, _("Only salespeople claim customers from the pool."))
    try:
        customer = services.pool_claim(by=request.user, customer_id=pk)
    except UserInputError as exc:
        messages.error(request, exc.message)
        return redirect("customers:pool")
    messages.success(request, _("%(name)s is now your customer.") % {"name": customer.name})
    return redirect("customers:detail", customer.pk)


@login_required
@require_POST
def pool_assign(request):
    require(request.user, REASSIGN_CUSTOMERS, _("Only managers assign customers from the pool."))
    to_owner = salespeople_for(request.user).filter(pk=parse_id(request.POST.get("to_owner"))).first()
    try:
        count = services.pool_assign(by=request.user, customer_ids=request.POST.getlist("ids"), to_owner=to_owner)
    except UserInputError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(count)d customers assigned to %(owner)s.")
                         % {"count": count, "owner": to_owner.display_name})
    return redirect("customers:pool")

"""Reads of customers, always scoped to the user (core.scopes) and prefetched."""

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from kehu.core.access import get_for_user
from kehu.core.capabilities import user_can
from kehu.core.scopes import in_chain_of_command, scope_queryset
from kehu.core.text import code_key, company_key, phone_key
from kehu.customers.capabilities import EDIT_CUSTOMERS, SEE_POOL
from kehu.customers.models import Customer, CustomerEvent, CustomerNote, KeyPerson, Reassignment
from kehu.customers.rules import INCOMPLETE_BELOW

# The name under which writers report changes to customers (core.pagination.lists_changed).
CUSTOMER_LIST = "customers"


def customers_visible_to(user) -> QuerySet[Customer]:
    return scope_queryset(Customer.objects.select_related("owner", "office"), user)


def customer_ids_owned_by(*, user, owner) -> list[int]:
    """Every customer of `owner` within the user's scope: what a hand-over moves (CUS-5)."""
    return list(customers_visible_to(user).filter(owner=owner).values_list("pk", flat=True))


def customer_list_rows() -> QuerySet[Customer]:
    """The columns the customer list shows, with owner and office, nothing more: the card's
    long text sections stay on disk. Callers restrict it to ids already scoped."""
    return Customer.objects.select_related("owner", "office").only(
        "code", "name", "grade", "category", "status", "phone", "completeness", "updated_at",
        "owner__username", "owner__first_name", "owner__last_name", "office__name",
    )


def customer_get_for_user(*, user, pk, write: bool = False) -> Customer:
    """The customer if the user may see it (else 404: its existence is not revealed) and,
    with write=True, may edit it (else 403)."""
    return get_for_user(customers_visible_to(user).select_related("developed_by", "filled_by"), pk, user=user,
                        write=EDIT_CUSTOMERS if write else None, not_found=_("No such customer in your scope."),
                        forbidden=_("Your role can read customer cards but not change them."))


def key_people_of(customer: Customer) -> QuerySet[KeyPerson]:
    return customer.key_people.all()


def key_people_visible_to(user) -> QuerySet[KeyPerson]:
    return scope_queryset(
        KeyPerson.objects.select_related("customer"), user, owner_field="customer__owner", office_field="customer__office"
    )


def key_person_get_for_user(*, user, pk, write: bool = False) -> KeyPerson:
    return get_for_user(key_people_visible_to(user), pk, user=user, write=EDIT_CUSTOMERS if write else None,
                        not_found=_("No such key person in your scope."),
                        forbidden=_("Your role can read customer cards but not change them."))


def notes_visible_to(*, user, customer: Customer) -> QuerySet[CustomerNote]:
    """CUS-6: private notes only for the owner's chain of command."""
    notes = customer.notes.select_related("author")
    if not in_chain_of_command(user, owner=customer.owner):
        notes = notes.filter(is_private=False)
    return notes


def customer_history(customer: Customer, *, limit: int = 50) -> list[dict]:
    """Change history of the card (CUS-3): who changed which fields, when, old → new."""
    records = list(customer.history.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1])
    entries = []
    for newer, older in zip(records, records[1:] + [None], strict=False):
        if len(entries) == limit:
            break
        changes = []
        if older is not None:
            delta = newer.diff_against(older)
            for change in delta.changes:
                if change.field in ("version",):
                    continue
                label = str(Customer._meta.get_field(change.field).verbose_name)
                changes.append({"field": label, "old": change.old, "new": change.new})
        entries.append({"record": newer, "changes": changes})
    return entries


def key_person_history(customer: Customer, *, limit: int = 50):
    return (
        KeyPerson.history.filter(customer_id=customer.pk)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")[:limit]
    )


def possible_duplicates(*, name: str = "", phone: str = "", tax_no: str = "", exclude_pk=None) -> QuerySet[Customer]:
    """CUS-8: customers whose normalised name, phone or tax no. matches, company-wide (a
    duplicate in another office is still a duplicate)."""
    condition = Q(pk__in=[])
    if key := company_key(name):
        condition |= Q(name_key=key)
    if (key := phone_key(phone)) and len(key) >= 7:
        condition |= Q(phone_key=key)
    if key := code_key(tax_no):
        condition |= Q(tax_key=key)
    qs = Customer.objects.filter(condition).select_related("owner", "office")
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return qs.order_by("id")[:20]


@dataclass(frozen=True)
class DuplicateSeen:
    """CUS-8: a similar customer as the user may see it. The check is company-wide, but a card
    outside the user's scope shows only who owns it and in which office — so that they can ask
    — never its code, name, phone or anything else of the card (pk is None: no link, no merge)."""

    pk: int | None
    code: str
    name: str
    phone: str
    owner_name: str
    office_name: str

    @property
    def in_scope(self) -> bool:
        return self.pk is not None

    def __str__(self) -> str:
        if self.in_scope:
            return f"{self.name}（{self.code}）"
        return _("a customer of %(office)s owned by %(owner)s") % {"office": self.office_name or "—",
                                                                  "owner": self.owner_name or "—"}


def duplicates_seen_by(user, candidates) -> list[DuplicateSeen]:
    """The similar customers `candidates` (possible_duplicates, an import's matches) as `user`
    may see them: in full inside the scope, only owner and office outside it (CUS-8)."""
    candidates = list(candidates)
    owners = {c.pk: (c.owner, c.office) for c in
              Customer.objects.filter(pk__in=[c.pk for c in candidates]).select_related("owner", "office")}
    visible = set(customers_visible_to(user).filter(pk__in=list(owners)).values_list("pk", flat=True))
    seen = []
    for customer in candidates:
        owner, office = owners[customer.pk]
        names = (owner.display_name if owner else "", office.name if office else "")
        if customer.pk in visible:
            seen.append(DuplicateSeen(customer.pk, customer.code, customer.name, customer.phone, *names))
        else:
            seen.append(DuplicateSeen(None, "", "", "", *names))
    return seen


def recent_events_for(user, *, kind: str | None = None, limit: int = 10) -> QuerySet[CustomerEvent]:
    events = scope_queryset(
        CustomerEvent.objects.select_related("customer", "by"), user,
        owner_field="customer__owner", office_field="customer__office",
    )
    return (events.filter(kind=kind) if kind else events)[:limit]


def events_of(customer: Customer, *, limit: int) -> QuerySet[CustomerEvent]:
    return customer.events.select_related("by").order_by("-at", "-id")[:limit]


def reassignments_of(customer: Customer, *, limit: int) -> QuerySet[Reassignment]:
    return customer.reassignments.select_related("from_owner", "to_owner", "by").order_by("-at", "-id")[:limit]


def personnel_changes_for(user, *, limit: int = 10) -> QuerySet[CustomerEvent]:
    """CUS-2: recent changes of the buyer or the person in charge at customers in scope."""
    return recent_events_for(user, kind=CustomerEvent.Kind.KEY_PERSON_CHANGED, limit=limit)


def incomplete_cards_for(user, *, limit: int = 10) -> QuerySet[Customer]:
    """CUS-4: the least complete cards in scope, under rules.INCOMPLETE_BELOW."""
    return (customers_visible_to(user).filter(completeness__lt=INCOMPLETE_BELOW)
            .order_by("completeness", "id")[:limit])


def customer_for_360(*, user, pk) -> Customer:
    customer = customer_get_for_user(user=user, pk=pk)
    customer.current_people = list(customer.key_people.filter(is_current=True).order_by("role", "id"))
    return customer



# --- the pool 公海 (CUS-7) ---------------------------------------------------------------------------------------

def pool_visible_to(user) -> QuerySet[Customer]:
    """The pool is shared: every salesperson may claim any of it, and the managers assign from
    it; who lacks SEE_POOL sees none of it."""
    if not user_can(user, SEE_POOL):
        return Customer.objects.none()
    return Customer.objects.filter(in_pool=True).select_related("office").order_by("-pooled_at", "-id")


def pool_get_for_user(*, user, pk) -> Customer:
    return get_for_user(pool_visible_to(user), pk, user=user, not_found=_("No such customer in the pool."))


def pool_list_rows() -> QuerySet[Customer]:
    """The pool list's columns; callers restrict it to ids already scoped."""
    return Customer.objects.select_related("office").only(
        "code", "name", "grade", "category", "status", "address", "pooled_at", "office__name")


def owned_count(user) -> int:
    return Customer.objects.filter(owner=user).count()

"""Every write to a customer card. Views, API, imports and the demo all call these."""

import uuid
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from kehu.accounts.models import User
from kehu.accounts.selectors import salespeople_for
from kehu.core.access import parse_id, require
from kehu.core.capabilities import user_can
from kehu.core.errors import (
    PermissionDeniedError,
    UserInputError,
    ValidationFailed,
    full_clean_or_refuse,
)
from kehu.core.history import save_by
from kehu.core.importing import check_lengths
from kehu.core.locks import lock, lock_many, lock_versioned
from kehu.core.models import Sequence
from kehu.core.pagination import lists_changed
from kehu.customers import events, rules
from kehu.customers.capabilities import (
    CLAIM_FROM_POOL,
    EDIT_CUSTOMERS,
    REASSIGN_CUSTOMERS,
    SET_CREDIT_TERMS,
)
from kehu.customers.models import (
    Customer,
    CustomerEvent,
    CustomerNote,
    KeyAccount,
    KeyPerson,
    PoolPolicy,
    Reassignment,
)
from kehu.customers.selectors import (
    CUSTOMER_LIST,
    customers_visible_to,
    duplicates_seen_by,
    possible_duplicates,
)

CODE_SEQUENCE = "customer_code"
# Fields a user edits on the card; everything else is kept by the system.
EDITABLE_FIELDS = [
    f.name
    for f in Customer._meta.concrete_fields
    if f.editable and f.name not in {"id", "owner", "office", "version", "created_at", "updated_at"}
]
KEY_PERSON_FIELDS = ["role", "name", "gender", "birth_date", "ethnicity", "title", "married", "phone",
                     "home_address", "character_notes"]
# Credit decisions on the card (CRD-2): only roles with SET_CREDIT_TERMS set or change them.
CREDIT_TERMS = ("grade", "payment_days")
# Changes of these roles are worth a reminder (CUS-2).
WATCHED_ROLES = {KeyPerson.Role.PERSON_IN_CHARGE, KeyPerson.Role.BUYER}


class DuplicateFound(UserInputError):
    """CUS-8: the new card looks like existing ones; the user must merge or keep both."""

    status = 409
    code = "duplicate"

    def __init__(self, candidates, *, seen_by):
        self.candidates = list(candidates)
        # Outside the user's scope only the owner and the office are told (duplicates_seen_by).
        self.seen = duplicates_seen_by(seen_by, self.candidates)
        names = "、".join(str(seen) for seen in self.seen[:5])
        super().__init__(_("Possible duplicate of %(names)s. Merge into one of them or keep both.") % {"names": names})


def format_code(number: int) -> str:
    return f"KH{number:06d}"


def refresh_derived(customer: Customer, people: list[KeyPerson] | None = None) -> None:
    """Completeness (CUS-4), duplicate keys (CUS-8) and the search column, from the card and
    its current key people. Sets the attributes; the caller saves."""
    if people is None:
        people = list(customer.key_people.filter(is_current=True)) if customer.pk else []
    roles = {p.role for p in people}
    customer.completeness = rules.completeness(customer, roles)
    for key, value in rules.match_keys(name=customer.name, phone=customer.phone, tax_no=customer.tax_no).items():
        setattr(customer, key, value)
    customer.search_text = rules.search_text(customer, [(p.name, p.phone) for p in people])


def _save_derived(customer: Customer) -> None:
    """After a key-person change: store the derived columns without a card history row."""
    refresh_derived(customer)
    Customer.objects.filter(pk=customer.pk).update(
        completeness=customer.completeness, search_text=customer.search_text
    )
    lists_changed(CUSTOMER_LIST)


def credit_terms_refused(*, by, data: dict, current: Customer | None = None) -> list[str]:
    """CRD-2: the credit terms (grade, payment days) that `data` would set on `current` — on a
    new card, different from its defaults — although `by` may not set them."""
    if user_can(by, SET_CREDIT_TERMS):
        return []
    base = current if current is not None else Customer()
    return [name for name in CREDIT_TERMS if name in data and data[name] != getattr(base, name)]


def credit_terms_message() -> str:
    return _("The grade and the payment terms (账期) are credit decisions that your role cannot set: ask for "
             "them with a credit request, or ask your manager.")


def check_credit_terms(*, by, data: dict, current: Customer | None = None) -> None:
    refused = credit_terms_refused(by=by, data=data, current=current)
    if refused:
        raise PermissionDeniedError(credit_terms_message(),
                                    field_errors={name: [credit_terms_message()] for name in refused})


def check_developed_by(*, by, data: dict, current: Customer | None = None) -> None:
    """CUS-1: "developed by" names a salesperson in the user's scope — the choices of the card
    form (salespeople_for) —, unless it stays what the card already says."""
    if "developed_by" not in data or data["developed_by"] is None:
        return
    value = data["developed_by"]
    pk = parse_id(getattr(value, "pk", value))
    if current is not None and pk is not None and pk == current.developed_by_id:
        return
    if pk is None or not salespeople_for(by).filter(pk=pk).exists():
        raise ValidationFailed(_("“Developed by” must be a salesperson in your scope."),
                               field_errors={"developed_by": [_("Choose a salesperson in your scope.")]})


def _check_owner(*, by, owner):
    if owner is None:
        return by
    if owner.pk != by.pk and not salespeople_for(by).filter(pk=owner.pk).exists():
        raise ValidationFailed(_("%(owner)s is not a salesperson in your scope.") % {"owner": owner},
                               field_errors={"owner": [_("Choose a salesperson in your scope.")]})
    return owner


def customer_create(*, by, data: dict, owner=None, on_duplicate: str | None = None, merge_into=None) -> Customer:
    """Create a card (CUS-1). If it looks like existing cards (CUS-8) the caller must decide:
    on_duplicate="keep_both" creates it anyway and records the decision; "merge" fills the
    blanks of `merge_into` with the new data instead of creating a card."""
    require(by, EDIT_CUSTOMERS, _("Your role can read customer cards but not create them."))
    check_credit_terms(by=by, data=data)
    check_developed_by(by=by, data=data)
    owner = _check_owner(by=by, owner=owner)
    customer = Customer(**{k: v for k, v in data.items() if k in EDITABLE_FIELDS})
    customer.owner = owner
    customer.office_id = owner.office_id
    customer.filled_by = by
    customer.filled_at = customer.owned_since = timezone.now()
    customer.code = "KH-PENDING"
    full_clean_or_refuse(customer)
    with transaction.atomic():
        duplicates = list(possible_duplicates(name=customer.name, phone=customer.phone, tax_no=customer.tax_no))
        if duplicates and on_duplicate == "merge":
            if merge_into is None or merge_into.pk not in {d.pk for d in duplicates}:
                raise ValidationFailed(_("Choose which of the similar customers to merge into."))
            return customer_merge_data(by=by, target=merge_into, data=data)
        if duplicates and on_duplicate != "keep_both":
            raise DuplicateFound(duplicates, seen_by=by)
        customer.code = format_code(Sequence.take(CODE_SEQUENCE)[0])
        refresh_derived(customer, people=[])
        save_by(customer, by)
        lists_changed(CUSTOMER_LIST)
        if duplicates:
            events.duplicate_kept(customer, by=by, similar=duplicates).save()
    return customer


def customer_merge_data(*, by, target: Customer, data: dict) -> Customer:
    """CUS-8 merge: the new data fills the target's empty fields; nothing filled is overwritten.
    When it fills nothing, the card, its version and its history stay as they were."""
    if not customers_visible_to(by).filter(pk=target.pk).exists() or not user_can(by, EDIT_CUSTOMERS):
        raise PermissionDeniedError(
            _("%(customer)s belongs to someone outside your scope: ask their manager to merge, or keep both.")
            % {"customer": target}
        )
    with transaction.atomic():
        target = lock(Customer, target.pk)
        filled = []
        blanks = {field: value for field, value in data.items()
                  if field in EDITABLE_FIELDS and value not in (None, "", []) and getattr(target, field) in (None, "", [])}
        check_credit_terms(by=by, data=blanks, current=target)
        check_developed_by(by=by, data=blanks, current=target)
        for field, value in blanks.items():
            setattr(target, field, value)
            filled.append(str(Customer._meta.get_field(field).verbose_name))
        if not filled:  # the same data again (a re-imported export): nothing to save or to record
            return target
        full_clean_or_refuse(target)
        target.version += 1
        refresh_derived(target)
        save_by(target, by)
        lists_changed(CUSTOMER_LIST)
        events.merged(target, by=by, filled=filled)
    return target


def _stale(row) -> str:
    return (_("%(name)s was changed by someone else since you opened it. "
              "Reload to see their changes; your edit was not saved.") % {"name": row.name})


def _lock_unchanged(queryset, *, pk, version):
    """Lock the row and refuse if it changed since the user read `version` (or no version is
    given): a save made from a stale copy would silently overwrite someone else's change."""
    return lock_versioned(queryset, pk, version=version, stale=_stale)


def customer_update(*, by, customer: Customer, version: int, data: dict) -> Customer:
    """Edit the card with optimistic locking: a save made from a stale copy is refused."""
    require(by, EDIT_CUSTOMERS, _("Your role can read customer cards but not change them."))
    with transaction.atomic():
        current = _lock_unchanged(Customer.objects.all(), pk=customer.pk, version=version)
        check_credit_terms(by=by, data=data, current=current)
        check_developed_by(by=by, data=data, current=current)
        for field, value in data.items():
            if field in EDITABLE_FIELDS:
                setattr(current, field, value)
        full_clean_or_refuse(current)
        current.version += 1
        refresh_derived(current)
        save_by(current, by)
        lists_changed(CUSTOMER_LIST)
    return current


def customers_reassign(*, by, customer_ids, to_owner, reason: str) -> uuid.UUID:
    """CUS-5: a manager hands customers over to a successor; every change is logged and the
    successor inherits the whole history (it stays on the card). All or nothing."""
    require(by, REASSIGN_CUSTOMERS, _("Only managers can reassign customers."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Give a reason for the reassignment."), field_errors={"reason": [_("Required.")]})
    check_lengths(Reassignment, reason=reason)
    parsed = {parse_id(i) for i in customer_ids}
    if None in parsed:
        raise ValidationFailed(_("The selection is not valid; nothing was reassigned."))
    ids = sorted(parsed)
    if not ids:
        raise ValidationFailed(_("Select at least one customer to reassign."))
    if to_owner is None or not salespeople_for(by).filter(pk=to_owner.pk).exists():
        raise ValidationFailed(_("The successor must be an active salesperson in your scope."),
                               field_errors={"to_owner": [_("Choose a salesperson in your scope.")]})
    batch = uuid.uuid4()
    with transaction.atomic():
        # Lock in pk order (core.locks: a fixed lock order avoids deadlocks).
        customers = list(lock_many(customers_visible_to(by), ids).values())
        if len(customers) != len(ids):
            raise ValidationFailed(
                _("%(count)d of the selected customers are not in your scope; nothing was reassigned.")
                % {"count": len(ids) - len(customers)}
            )
        moving = [c for c in customers if c.owner_id != to_owner.pk]
        logs = [Reassignment(batch=batch, customer=c, from_owner_id=c.owner_id, to_owner=to_owner, by=by,
                             reason=reason) for c in moving]
        now = timezone.now()
        for c in moving:
            c.owner = to_owner
            c.office_id = to_owner.office_id
            c.owned_since = now
            c.in_pool, c.pooled_at = False, None  # handed over out of the pool too (CUS-7)
            c.version += 1
        bulk_update_with_history(moving, Customer, ["owner", "office", "owned_since", "in_pool", "pooled_at",
                                                    "version"], batch_size=500,
                                 default_user=by, default_change_reason=reason[:100])
        Reassignment.objects.bulk_create(logs, batch_size=500)
        lists_changed(CUSTOMER_LIST)
    return batch


def note_add(*, by, customer: Customer, text: str, is_private: bool = False) -> CustomerNote:
    """Add a note; private ones are what the customer told in confidence (CUS-6)."""
    text = (text or "").strip()
    if not text:
        raise ValidationFailed(_("The note is empty."), field_errors={"text": [_("Required.")]})
    if len(text) > 5000:
        raise ValidationFailed(_("A note can be at most 5,000 characters."))
    return CustomerNote.objects.create(customer=customer, author=by, text=text, is_private=bool(is_private))


def _watch_people_change(*, by, customer, message):
    events.key_person_changed(customer, by=by, message=message)


def key_person_add(*, by, customer: Customer, data: dict) -> KeyPerson:
    """CUS-2: add a key person. A new buyer or person in charge where there was one before is
    a personnel change worth a reminder."""
    require(by, EDIT_CUSTOMERS, _("Your role can read customer cards but not change them."))
    person = KeyPerson(customer=customer, **{k: v for k, v in data.items() if k in KEY_PERSON_FIELDS})
    full_clean_or_refuse(person, exclude=["customer"])
    with transaction.atomic():
        had_role_before = customer.key_people.filter(role=person.role).exists()
        save_by(person, by)
        if person.role in WATCHED_ROLES and had_role_before:
            _watch_people_change(by=by, customer=customer, message=_("New %(role)s: %(name)s")
                                 % {"role": person.get_role_display(), "name": person.name})
        _save_derived(customer)
    return person


def key_person_update(*, by, person: KeyPerson, version: int, data: dict) -> KeyPerson:
    require(by, EDIT_CUSTOMERS, _("Your role can read customer cards but not change them."))
    with transaction.atomic():
        current = _lock_unchanged(KeyPerson.objects.select_related("customer"), pk=person.pk, version=version)
        old_role = current.role
        for field, value in data.items():
            if field in KEY_PERSON_FIELDS:
                setattr(current, field, value)
        full_clean_or_refuse(current, exclude=["customer"])
        current.version += 1
        save_by(current, by)
        if old_role != current.role and {old_role, current.role} & WATCHED_ROLES:
            _watch_people_change(by=by, customer=current.customer, message=_("%(name)s is now %(role)s")
                                 % {"name": current.name, "role": current.get_role_display()})
        _save_derived(current.customer)
    return current


def key_person_end(*, by, person: KeyPerson, version: int, left_on: date | None = None) -> KeyPerson:
    """A key person left the customer: the record stays in history, marked as no longer current."""
    require(by, EDIT_CUSTOMERS, _("Your role can read customer cards but not change them."))
    with transaction.atomic():
        current = _lock_unchanged(KeyPerson.objects.select_related("customer"), pk=person.pk, version=version)
        if not current.is_current:
            raise ValidationFailed(_("%(name)s has already left.") % {"name": current.name})
        left_on = left_on or timezone.localdate()
        if left_on > timezone.localdate():
            raise ValidationFailed(_("The leaving date is in the future."))
        current.is_current = False
        current.left_on = left_on
        current.version += 1
        save_by(current, by)
        if current.role in WATCHED_ROLES:
            _watch_people_change(by=by, customer=current.customer, message=_("%(role)s %(name)s left on %(date)s")
                                 % {"role": current.get_role_display(), "name": current.name, "date": left_on})
        _save_derived(current.customer)
    return current


# --- the pool 公海 (CUS-7) ---------------------------------------------------------------------------------------

def _pool_event(customer: Customer, *, kind: str, by, message: str) -> CustomerEvent:
    return CustomerEvent(customer=customer, kind=kind, by=by, message=message[:300])


def _take_from_pool(customers: list[Customer], *, owner, by, kind: str, message: str) -> None:
    now = timezone.now()
    for c in customers:
        c.owner, c.office_id, c.in_pool, c.pooled_at, c.owned_since = owner, owner.office_id, False, None, now
        c.version += 1
    bulk_update_with_history(customers, Customer, ["owner", "office", "in_pool", "pooled_at", "owned_since",
                                                   "version"], batch_size=500, default_user=by,
                             default_change_reason=message[:100])
    CustomerEvent.objects.bulk_create([_pool_event(c, kind=kind, by=by, message=message) for c in customers],
                                      batch_size=500)
    lists_changed(CUSTOMER_LIST)


def _check_limit(owner, *, adding: int) -> None:
    """CUS-7: a salesperson owns at most the policy's number of customers."""
    limit = PoolPolicy.current().owner_limit
    owned = Customer.objects.filter(owner=owner).count()
    if owned + adding > limit:
        raise ValidationFailed(
            _("%(owner)s already owns %(owned)d customers; the limit is %(limit)d. Nothing was taken from the pool.")
            % {"owner": owner.display_name, "owned": owned, "limit": limit})


def pool_claim(*, by, customer_id) -> Customer:
    """CUS-7: a salesperson claims a customer from the pool — first come first served: the row
    is locked, and whoever comes second finds it claimed. Logged on the customer's timeline."""
    require(by, CLAIM_FROM_POOL, _("Only salespeople claim customers from the pool."))
    pk = parse_id(customer_id)
    if pk is None:
        raise ValidationFailed(_("Choose a customer of the pool."))
    with transaction.atomic():
        try:
            customer = lock(Customer, pk)
        except Customer.DoesNotExist:
            raise ValidationFailed(_("No such customer in the pool.")) from None
        if not customer.in_pool:
            raise ValidationFailed(_("%(name)s is no longer in the pool: someone claimed it first.")
                                   % {"name": customer.name})
        # Then the claimer's row (core.locks: customers rank before unranked rows): two claims
        # of one salesperson at the same moment are counted one after the other against the limit.
        lock(User, by.pk)
        _check_limit(by, adding=1)
        _take_from_pool([customer], owner=by, by=by, kind=CustomerEvent.Kind.POOL_CLAIMED,
                        message=_("Claimed from the pool by %(who)s") % {"who": by.display_name})
    return customer


def pool_assign(*, by, customer_ids, to_owner) -> int:
    """CUS-7: a manager hands customers of the pool to a salesperson of their scope, within the
    salesperson's ownership limit. All or nothing; logged on each customer's timeline."""
    require(by, REASSIGN_CUSTOMERS, _("Only managers assign customers from the pool."))
    parsed = {parse_id(i) for i in customer_ids}
    if None in parsed or not parsed:
        raise ValidationFailed(_("Select customers of the pool to assign; nothing was assigned."))
    if to_owner is None or not salespeople_for(by).filter(pk=to_owner.pk).exists():
        raise ValidationFailed(_("Choose an active salesperson in your scope."),
                               field_errors={"to_owner": [_("Choose a salesperson in your scope.")]})
    with transaction.atomic():
        customers = list(lock_many(Customer, sorted(parsed)).values())
        lock(User, to_owner.pk)
        if len(customers) != len(parsed) or not all(c.in_pool for c in customers):
            raise ValidationFailed(_("Some of the selected customers are no longer in the pool; nothing was "
                                     "assigned. Reload the pool."))
        _check_limit(to_owner, adding=len(customers))
        _take_from_pool(customers, owner=to_owner, by=by, kind=CustomerEvent.Kind.POOL_ASSIGNED,
                        message=_("Assigned from the pool to %(who)s by %(by)s")
                        % {"who": to_owner.display_name, "by": by.display_name})
    return len(customers)


def pool_drop(*, customer_ids, reason: str, now=None) -> int:
    """CUS-7: the nightly move: the customers return to the pool, each move logged. A customer
    already in the pool, without owner or a key account, is left alone: twice moves nothing."""
    now = now or timezone.now()
    with transaction.atomic():
        customers = [c for c in lock_many(Customer.objects.select_related("owner"), sorted(set(customer_ids))).values()
                     if not c.in_pool and c.owner_id is not None and not c.key_account]
        events = [_pool_event(c, kind=CustomerEvent.Kind.POOL_DROPPED, by=None,
                              message=_("Dropped into the pool from %(who)s: %(reason)s")
                              % {"who": c.owner.display_name, "reason": reason}) for c in customers]
        for c in customers:
            c.owner, c.in_pool, c.pooled_at = None, True, now
            c.version += 1
        bulk_update_with_history(customers, Customer, ["owner", "in_pool", "pooled_at", "version"], batch_size=500,
                                 default_change_reason=reason[:100])
        CustomerEvent.objects.bulk_create(events, batch_size=500)
        if customers:
            lists_changed(CUSTOMER_LIST)
    return len(customers)


def pool_notice_logged(*, customer: Customer, message: str) -> CustomerEvent:
    """The owner was told the customer drops soon: on the customer's timeline."""
    return CustomerEvent.objects.create(customer=customer, kind=CustomerEvent.Kind.POOL_NOTICE, by=None,
                                        message=message[:300])


def key_account_set(*, by, customer: Customer, tier: str) -> Customer:
    """KA-2 (the flag only): a key account never drops into the pool (CUS-7). Set by managers."""
    require(by, SET_CREDIT_TERMS, _("Only managers mark key accounts."))
    if tier not in {"", *KeyAccount.values}:
        raise ValidationFailed(_("Choose a key-account tier: IKA, NKA, CKA or none."),
                               field_errors={"key_account": [_("Not a tier.")]})
    with transaction.atomic():
        row = lock(Customer, customer.pk)
        row.key_account = tier
        row.version += 1
        save_by(row, by)
    return row

"""The customer's own events (CustomerEvent), written by the services in the write's
transaction — no signals — and read back into the customer's timeline (customers.registrations):
a change of the buyer or the person in charge (CUS-2), a card kept although similar to
another or a duplicate merged into it (CUS-8)."""

from django.utils.translation import gettext as _

from kehu.customers.models import Customer, CustomerEvent


def duplicate_kept(customer: Customer, *, by, similar) -> CustomerEvent:
    return CustomerEvent(customer=customer, kind=CustomerEvent.Kind.DUPLICATE_KEPT, by=by,
                         message=_("Kept although similar to %(codes)s") % {"codes": ", ".join(d.code for d in similar)})


def merged(customer: Customer, *, by, filled: list[str]) -> CustomerEvent:
    message = (_("Duplicate merged; filled: %(fields)s") % {"fields": "、".join(filled)} if filled
               else _("Duplicate merged; nothing new to fill"))
    return CustomerEvent.objects.create(customer=customer, kind=CustomerEvent.Kind.MERGED, by=by, message=message[:300])


def key_person_changed(customer: Customer, *, by, message: str) -> CustomerEvent:
    return CustomerEvent.objects.create(customer=customer, kind=CustomerEvent.Kind.KEY_PERSON_CHANGED, by=by,
                                        message=message[:300])

"""Row locks of credit (core.locks: by rank, CreditAccount 20 < CreditCard 22 < CreditRequest
25, after the customer (10) and before its orders (30)). Confirming an order locks the
customer's credit account, then the order's overrides and discount approvals, then the order."""

from django.utils.translation import gettext as _

from kehu.core.locks import lock, lock_versioned, lock_where
from kehu.credit.models import CreditAccount, CreditCard, CreditRequest


def lock_account(account_pk: int) -> CreditAccount:
    return lock(CreditAccount, account_pk)


def lock_accounts_of(customer_id: int) -> list[CreditAccount]:
    """The customer's credit account, locked: [] if it has none yet."""
    return lock_where(CreditAccount, customer_id=customer_id)


def lock_card(*, card_pk: int, version: int | None, customer) -> CreditCard:
    """The customer's KH002 card, locked; refused if it is no longer the `version` read."""
    return lock_versioned(CreditCard, card_pk, version=version, stale=lambda card: _(
        "The credit card of %(name)s was changed by someone else since you opened it. "
        "Reload to see the change; your edit was not saved.") % {"name": customer.name})


def lock_request(request_pk: int, *, with_customer: bool = False) -> CreditRequest:
    qs = CreditRequest.objects.select_related("customer") if with_customer else CreditRequest.objects.all()
    return lock(qs, request_pk)


def lock_usable_approvals(order_pk: int) -> list[CreditRequest]:
    """The approved overrides (CRD-3) and discount approvals (ORD-1) of an order not used yet,
    locked together (lower pk first)."""
    return lock_where(CreditRequest, order_id=order_pk,
                      kind__in=[CreditRequest.Kind.OVERRIDE, CreditRequest.Kind.DISCOUNT],
                      status=CreditRequest.Status.APPROVED, used_at__isnull=True)

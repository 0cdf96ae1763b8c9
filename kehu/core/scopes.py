"""Data scopes in one place: every queryset that reaches a user goes through here.

A salesperson sees their own records, a director or sales manager the records of their
office subtree (region → office → team), the VP, GM, admin, service and finance staff all
records. Views and the API never filter permissions by hand.
"""

from django.db.models import Q, QuerySet

from kehu.core.roles import ROLE_SCOPE, TOP_OF_CHAIN, Role, Scope


def scope_of(user) -> Scope | None:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if user.is_superuser:
        return Scope.ALL
    return ROLE_SCOPE.get(user.role)


def office_subtree_ids(user) -> list[int]:
    """The user's office and every office below it (the user model knows its offices:
    accounts.models.User.office_subtree_ids, kept for the request)."""
    return user.office_subtree_ids()


def scope_filter(user, *, owner_field: str = "owner", office_field: str = "office") -> Q | None:
    """The filter that restricts records to the user's scope; None means everything,
    and a filter matching nothing is returned for users without a scope."""
    scope = scope_of(user)
    if scope == Scope.ALL:
        return None
    if scope == Scope.OWN:
        return Q(**{f"{owner_field}_id": user.pk})
    if scope == Scope.TEAM:
        return Q(**{f"{office_field}_id__in": office_subtree_ids(user)})
    return Q(pk__in=[])


def scope_queryset(qs: QuerySet, user, **fields) -> QuerySet:
    condition = scope_filter(user, **fields)
    return qs if condition is None else qs.filter(condition)


def in_chain_of_command(user, *, owner) -> bool:
    """CUS-6: the owner, the managers whose office subtree holds the owner's office, and
    the top of the company. Administrators, service and finance staff are outside it."""
    if scope_of(user) is None or owner is None:
        return bool(user and getattr(user, "role", None) in TOP_OF_CHAIN)
    if user.pk == owner.pk or user.role in TOP_OF_CHAIN:
        return True
    if user.role in (Role.DIRECTOR, Role.SALES_MANAGER):
        return owner.office_id in office_subtree_ids(user)
    return False

"""Reads of users and offices that several pages need."""

from django.core.cache import cache
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from kehu.accounts.models import ApiToken, Office, User
from kehu.core.access import get_for_user
from kehu.core.roles import Role
from kehu.core.scopes import Scope, office_subtree_ids, scope_of


def name_fields(path: str) -> tuple[str, ...]:
    """The fields User.display_name reads, through `path` ("owner", "customer__owner"): for the
    .only() of a list's rows, which leave every other column of a joined row on disk."""
    return tuple(f"{path}__{field}" for field in ("username", "first_name", "last_name"))


def salespeople_for(user) -> QuerySet[User]:
    """Active users who can own customers and fall inside the user's scope: the choices
    for the owner filter and for reassignment (CUS-5)."""
    qs = User.objects.filter(is_active=True, role__in=[Role.SALESPERSON, Role.DIRECTOR, Role.SALES_MANAGER])
    scope = scope_of(user)
    if scope == Scope.OWN:
        qs = qs.filter(pk=user.pk)
    elif scope == Scope.TEAM:
        qs = qs.filter(office_id__in=office_subtree_ids(user))
    elif scope is None:
        qs = qs.none()
    return qs.select_related("office").order_by("office__path", "last_name", "first_name", "username")


def offices_for(user):
    """The offices a list may be filtered by: those in the user's scope and the ones above
    the user's office (a salesperson's own office, region or headquarters holds all they see,
    so filtering by it narrows nothing out of their list, and is not refused)."""
    qs = Office.objects.all()
    scope = scope_of(user)
    # An office whose path starts the user's office's path: theirs or one above it (no query of its own).
    above = Exists(Office.objects.filter(pk=user.office_id, path__startswith=OuterRef("path")))
    if scope == Scope.TEAM:
        qs = qs.filter(Q(pk__in=office_subtree_ids(user)) | above)
    elif scope == Scope.OWN:
        qs = qs.filter(above)
    elif scope is None:
        qs = qs.none()
    return qs.order_by("path")


def owner_choices_for(user) -> list[tuple[int, str]]:
    """(pk, "name · office") of salespeople_for(user), for the owner filters of the lists.
    Kept a minute per user: loading and rendering the hundreds of salespeople a GM chooses from
    was a large share of a list page (bench/RESULTS.md). Services check owners again on
    every write, so a stale choice is refused, never used."""
    return cache.get_or_set(_choices_key(user, "owners"), lambda: [
        (u.pk, f"{u.display_name} · {u.office.name if u.office else ''}") for u in salespeople_for(user)], 60)


def office_choices_for(user) -> list[tuple[int, str]]:
    """(pk, name) of offices_for(user), kept a minute per user like owner_choices_for."""
    return cache.get_or_set(_choices_key(user, "offices"), lambda: [(o.pk, o.name) for o in offices_for(user)], 60)


def _choices_key(user, kind: str) -> str:
    return f"kehu:choices:{kind}:{user.pk}:{user.role}:{user.office_id}"


def offices_in_scope(request):
    """offices_for the request's user: the queryset a list filter may choose from."""
    return offices_for(request.user) if request else Office.objects.none()


def owners_in_scope(request):
    """salespeople_for the request's user: the queryset a list filter may choose from."""
    return salespeople_for(request.user) if request else User.objects.none()


def api_tokens_of(user) -> QuerySet:
    """PLT-2: the user's own API tokens, newest first; nobody sees another user's tokens."""
    return ApiToken.objects.filter(user_id=user.pk) if user.is_authenticated else ApiToken.objects.none()


def api_token_get_for_user(*, user, pk):
    """One of the user's own tokens; another user's (or none) is 404."""
    return get_for_user(api_tokens_of(user), pk, user=user, not_found=_("No such token of yours."))


def managers_of(user) -> list[User]:
    """Whom `user`'s missed deadline, missed promise or market information goes to: the office
    directors and sales managers of the nearest office at or above `user`'s that has any (never
    `user`), else the marketing VP, else the general manager."""
    path = user.office.path if user.office_id else ""
    above = [int(part) for part in path.strip("/").split("/") if part]
    found = list(User.objects.filter(is_active=True, role__in=[Role.DIRECTOR, Role.SALES_MANAGER], office_id__in=above)
                 .exclude(pk=user.pk).select_related("office"))
    if found:
        nearest = max(len(u.office.path) for u in found)
        return [u for u in found if len(u.office.path) == nearest]
    for role in (Role.MARKETING_VP, Role.GENERAL_MANAGER):
        top = list(User.objects.filter(is_active=True, role=role).exclude(pk=user.pk).order_by("pk"))
        if top:
            return top
    return []

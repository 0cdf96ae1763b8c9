"""What each role may do: one capability table, one question (`user_can`).

Scopes (core.scopes) say *which* records a user sees; capabilities say *what* the user may do
with them. Each app declares its capabilities in its own `capabilities.py` with `define()`,
naming the roles that hold them; the table is the union of those declarations, read once at
start-up. So a lower app never names an upper one, and `kehu capabilities` prints the whole
table. Views, the API, services and templates ask `user_can(user, CAPABILITY)`; nobody tests
`user.role` by hand. The permission-matrix tests are generated from this table.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.functional import Promise

from kehu.core.roles import Role
from kehu.core.scopes import scope_of

# Every role with a data scope; the usual starting point of a declaration.
EVERY_ROLE = frozenset(Role)


@dataclass(frozen=True)
class Capability:
    """Something a role may do, e.g. "collect money" (AR-1). `key` is unique across apps."""

    key: str
    label: str | Promise
    roles: frozenset[Role]

    def __str__(self) -> str:
        return self.key


_TABLE: dict[str, Capability] = {}


def define(key: str, label, *, roles: Iterable[Role]) -> Capability:
    """Declare a capability and the roles that hold it (superusers hold every one). Declared at
    import time of an app's capabilities module; declaring a key twice is a programming error."""
    if key in _TABLE:
        raise ValueError(f"capability {key!r} is declared twice")
    capability = Capability(key=key, label=label, roles=frozenset(roles))
    _TABLE[key] = capability
    return capability


def table() -> list[Capability]:
    """Every declared capability, in declaration order (core, then the apps bottom-up)."""
    return list(_TABLE.values())


def user_can(user, capability: Capability) -> bool:
    """Whether the user may do this: an active user with a data scope whose role holds the
    capability, or a superuser."""
    if user is None or scope_of(user) is None:
        return False
    return user.is_superuser or user.role in capability.roles


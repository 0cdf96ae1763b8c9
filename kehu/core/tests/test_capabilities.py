"""core/capabilities.py: one table of what each role may do, asked through user_can; superusers
hold everything, users without a scope nothing (CUS-5, CUS-6)."""

import pytest
from django.contrib.auth.models import AnonymousUser

from conftest import make_user, rule
from kehu.core.capabilities import define, table, user_can
from kehu.core.roles import Role
from kehu.customers.capabilities import EDIT_CUSTOMERS, REASSIGN_CUSTOMERS

pytestmark = pytest.mark.django_db


def can_edit(user) -> bool:
    return user_can(user, EDIT_CUSTOMERS)


def can_reassign(user) -> bool:
    return user_can(user, REASSIGN_CUSTOMERS)


@rule("CUS-5")
@pytest.mark.parametrize(("role", "edits", "manages"), [
    ("owner", True, False), ("teammate", True, False), ("director", True, True), ("manager", True, True),
    ("vp", True, True), ("gm", True, True), ("admin", True, True), ("service", False, False),
    ("finance", False, False)])
def test_it_says_who_edits_records_and_who_manages_people(users, role, edits, manages):
    assert (can_edit(users[role]), can_reassign(users[role])) == (edits, manages)


@rule("CUS-5")
def test_it_lets_a_superuser_edit_and_manage_and_nobody_without_a_scope(users, offices):
    root = make_user("root", Role.SERVICE, offices["hq"], is_superuser=True)
    assert (can_edit(root), can_reassign(root)) == (True, True)
    users["director"].is_active = False
    assert (can_edit(users["director"]), can_reassign(users["director"])) == (False, False)
    assert (can_edit(AnonymousUser()), can_reassign(AnonymousUser())) == (False, False)


def test_it_refuses_a_capability_declared_twice():
    assert "edit_customers" in {c.key for c in table()}
    with pytest.raises(ValueError, match="declared twice"):
        define("edit_customers", "again", roles={Role.ADMIN})

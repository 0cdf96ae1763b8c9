"""core/scopes.py called directly: the scope of each role, the office subtree, the filter every
list goes through, and who may edit, manage, and read private notes (CUS-5, CUS-6)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db.models import Q

from conftest import ROLES, SEES_HANGZHOU, SEES_SHANGHAI, make_user, rule
from kehu.core import scopes
from kehu.core.roles import Role, Scope
from kehu.customers.models import Customer, KeyPerson
from kehu.customers.tests.builders import new_key_person

pytestmark = pytest.mark.django_db

SCOPE = {"owner": Scope.OWN, "teammate": Scope.OWN, "outsider": Scope.OWN, "director": Scope.TEAM,
         "other_director": Scope.TEAM, "manager": Scope.TEAM, "vp": Scope.ALL, "gm": Scope.ALL, "service": Scope.ALL,
         "finance": Scope.ALL, "admin": Scope.ALL}


@rule("CUS-5")
@pytest.mark.parametrize("role", ROLES)
def test_it_gives_each_role_its_scope(users, role):
    assert scopes.scope_of(users[role]) == SCOPE[role]


@rule("CUS-5")
def test_it_gives_no_scope_to_anonymous_or_inactive_users_and_all_to_a_superuser(users, offices):
    assert scopes.scope_of(AnonymousUser()) is None
    assert scopes.scope_of(None) is None
    users["director"].is_active = False
    assert scopes.scope_of(users["director"]) is None
    root = make_user("root", Role.SALESPERSON, offices["team"], is_superuser=True)
    assert scopes.scope_of(root) == Scope.ALL


@rule("CUS-5")
def test_it_keeps_a_users_subtree_for_the_request(users, offices, django_assert_num_queries):
    director = users["director"]
    with django_assert_num_queries(2):  # the office's path, then the offices under it
        first = scopes.office_subtree_ids(director)
    with django_assert_num_queries(0):
        assert scopes.office_subtree_ids(director) is first
    assert sorted(first) == sorted([offices["shanghai"].pk, offices["team"].pk])


@rule("CUS-5")
def test_it_builds_the_filter_of_each_scope(users, offices):
    owner, director = users["owner"], users["director"]
    assert scopes.scope_filter(users["gm"]) is None
    assert scopes.scope_filter(owner) == Q(owner_id=owner.pk)
    assert scopes.scope_filter(owner, owner_field="customer__owner") == Q(customer__owner_id=owner.pk)
    subtree = [offices["shanghai"].pk, offices["team"].pk]  # offices in path order
    assert scopes.scope_filter(director) == Q(office_id__in=subtree)
    assert scopes.scope_filter(director, office_field="customer__office") == Q(customer__office_id__in=subtree)
    assert scopes.scope_filter(AnonymousUser()) == Q(pk__in=[])


@rule("CUS-5")
@pytest.mark.parametrize("role", ROLES)
def test_it_restricts_a_queryset_to_the_users_scope(users, customer, outsider_customer, role):
    expected = [c for c, sees in ((customer, SEES_SHANGHAI), (outsider_customer, SEES_HANGZHOU)) if role in sees]
    assert list(scopes.scope_queryset(Customer.objects.order_by("pk"), users[role])) == expected


@rule("CUS-5")
@pytest.mark.parametrize("role", ROLES)
def test_it_restricts_related_records_through_the_fields_named(users, customer, outsider_customer, role):
    mine = new_key_person(by=users["owner"], customer=customer, role="buyer", name="赵敏")
    theirs = new_key_person(by=users["outsider"], customer=outsider_customer, role="buyer", name="钱多")
    expected = [p for p, sees in ((mine, SEES_SHANGHAI), (theirs, SEES_HANGZHOU)) if role in sees]
    scoped = scopes.scope_queryset(KeyPerson.objects.order_by("pk"), users[role], owner_field="customer__owner",
                                   office_field="customer__office")
    assert list(scoped) == expected


@rule("CUS-5")
def test_it_shows_nothing_to_a_user_without_a_scope(users, customer):
    users["gm"].is_active = False
    assert list(scopes.scope_queryset(Customer.objects.all(), users["gm"])) == []
    assert list(scopes.scope_queryset(Customer.objects.all(), AnonymousUser())) == []


@rule("CUS-6")
@pytest.mark.parametrize(("role", "inside"), [
    ("owner", True), ("teammate", False), ("outsider", False), ("director", True), ("other_director", False),
    ("manager", True), ("vp", True), ("gm", True), ("service", False), ("finance", False), ("admin", False)])
def test_it_knows_the_owners_chain_of_command(users, role, inside):
    assert scopes.in_chain_of_command(users[role], owner=users["owner"]) is inside


@rule("CUS-6")
def test_it_leaves_a_customer_without_owner_to_the_top_of_the_company(users):
    assert [role for role in ROLES if scopes.in_chain_of_command(users[role], owner=None)] == ["vp", "gm"]
    assert scopes.in_chain_of_command(AnonymousUser(), owner=users["owner"]) is False
    assert scopes.in_chain_of_command(None, owner=users["owner"]) is False

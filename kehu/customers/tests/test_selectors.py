"""Scoped reads of customers (kehu/customers/selectors.py) and the list's filters and sorts
(kehu/customers/filters.py)."""

import datetime

import pytest
from django.http import Http404
from django.test import RequestFactory

from conftest import ROLES, SEES_HANGZHOU, SEES_SHANGHAI, rule
from kehu.core.errors import PermissionDeniedError
from kehu.customers import selectors, services
from kehu.customers.filters import SORTS, CustomerFilter
from kehu.customers.models import Customer
from kehu.customers.tests.builders import new_customer, new_key_person

ALL = "all"


# --- scopes --------------------------------------------------------------------------------

@rule("CUS-5")
@pytest.mark.parametrize("role", ROLES)
def test_it_scopes_customers_to_each_role(users, customer, outsider_customer, role):
    expected = [c for c, sees in ((customer, SEES_SHANGHAI), (outsider_customer, SEES_HANGZHOU)) if role in sees]
    assert list(selectors.customers_visible_to(users[role]).order_by("pk")) == expected


@rule("CUS-5")
def test_it_shows_nothing_to_inactive_users(users, customer):
    users["gm"].is_active = False
    assert list(selectors.customers_visible_to(users["gm"])) == []


@rule("CUS-5")
def test_it_shows_a_director_the_customers_of_every_team_below_the_office(users, offices, customer):
    from conftest import make_user
    from kehu.accounts.models import Office

    team2 = Office.objects.create(name="上海二组", code="SH2", kind=Office.Kind.TEAM, parent=offices["shanghai"])
    seller = make_user("seller2", "salesperson", team2)
    second = new_customer(by=seller, name="闵行五金店", category="key_retailer")
    assert list(selectors.customers_visible_to(users["director"]).order_by("pk")) == [customer, second]
    assert list(selectors.customers_visible_to(users["owner"])) == [customer]


@rule("CUS-5")
@pytest.mark.parametrize("role", ["teammate", "outsider", "other_director"])
def test_it_answers_404_for_a_customer_outside_the_scope(users, customer, role):
    with pytest.raises(Http404):
        selectors.customer_get_for_user(user=users[role], pk=customer.pk)


@rule("CUS-5")
@pytest.mark.parametrize("pk", ["abc", None, "1.5", "", "1 OR 1=1", 10**30])
def test_it_answers_404_for_ids_that_are_not_numbers_or_do_not_exist(users, customer, pk):
    with pytest.raises(Http404):
        selectors.customer_get_for_user(user=users["gm"], pk=pk)


@rule("CUS-5")
@pytest.mark.parametrize("role", ["owner", "director", "manager", "gm"])
def test_it_returns_the_customer_in_scope_for_reading_and_writing(users, customer, role):
    assert selectors.customer_get_for_user(user=users[role], pk=str(customer.pk), write=True) == customer


@rule("CUS-5")
@pytest.mark.parametrize("role", ["service", "finance"])
def test_it_refuses_write_access_to_read_only_roles(users, customer, role):
    assert selectors.customer_get_for_user(user=users[role], pk=customer.pk) == customer
    with pytest.raises(PermissionDeniedError):
        selectors.customer_get_for_user(user=users[role], pk=customer.pk, write=True)


@rule("CUS-2")
def test_it_scopes_key_people_like_their_customers(users, customer, outsider_customer):
    mine = new_key_person(by=users["owner"], customer=customer, role="buyer", name="赵敏")
    theirs = new_key_person(by=users["outsider"], customer=outsider_customer, role="buyer", name="钱多")
    assert list(selectors.key_people_visible_to(users["owner"])) == [mine]
    assert list(selectors.key_people_visible_to(users["director"])) == [mine]
    assert list(selectors.key_people_visible_to(users["teammate"])) == []
    assert list(selectors.key_people_visible_to(users["gm"]).order_by("pk")) == [mine, theirs]
    with pytest.raises(Http404):
        selectors.key_person_get_for_user(user=users["owner"], pk=theirs.pk)
    with pytest.raises(Http404):
        selectors.key_person_get_for_user(user=users["owner"], pk="x")
    with pytest.raises(PermissionDeniedError):
        selectors.key_person_get_for_user(user=users["service"], pk=mine.pk, write=True)


@rule("CUS-8")
def test_it_finds_possible_duplicates_company_wide_excluding_the_card_itself(users, customer, outsider_customer):
    assert list(selectors.possible_duplicates(name="杭州 西湖百货商店有限公司")) == [outsider_customer]
    assert list(selectors.possible_duplicates(phone="0215555-0101")) == [customer]
    assert list(selectors.possible_duplicates(name="上海恒丰商贸", exclude_pk=customer.pk)) == []
    # too short to be a phone number, and a name that is only a suffix: no match
    new_customer(by=users["owner"], name="小店", category="agent", phone="12345")
    assert list(selectors.possible_duplicates(phone="12345", name="有限公司")) == []


# --- filters and sorts ---------------------------------------------------------------------

@pytest.fixture
def catalogue(users, offices):
    """Four customers with different values in every filtered and sorted column."""
    owner, teammate, outsider = users["owner"], users["teammate"], users["outsider"]

    a = new_customer(by=owner, name="A 安达食品商行", category="agent", grade="A", nature="individual",
                     status="active", phone="021-5555 0101", developed_on=datetime.date(2021, 3, 1))
    b = new_customer(by=teammate, name="B 百盛超市", category="key_retailer", grade="B", nature="state_owned",
                     status="prospect", phone="021-6666 0202", developed_on=datetime.date(2019, 7, 9))
    c = new_customer(by=outsider, name="C 长城批发部", category="wholesaler_1", grade="C", nature="joint_stock",
                     status="lost", phone="0571-8888 0303", developed_on=datetime.date(2023, 1, 5))
    d = new_customer(by=owner, name="D 东方恒丰贸易", category="wholesaler_2", grade="A", nature="individual",
                     status="dormant", phone="138 0013 8000", developed_on=datetime.date(2020, 11, 30))
    new_key_person(by=owner, customer=d, role="buyer", name="欧阳娜娜", phone="139-1111-2222")
    Customer.objects.filter(pk=b.pk).update(completeness=100)
    return {"a": a, "b": b, "c": c, "d": d}


def search(user, **params):
    request = RequestFactory().get("/customers/", params)
    request.user = user
    f = CustomerFilter(request.GET, queryset=selectors.customers_visible_to(user), request=request)
    assert f.is_valid(), f.errors
    return [c.name[0] for c in f.qs.order_by("name")] if "sort" not in params else [c.name[0] for c in f.qs]


@rule("CUS-1")
@pytest.mark.parametrize(
    ("params", "names"),
    [
        ({}, ["A", "B", "C", "D"]),
        ({"grade": "A"}, ["A", "D"]),
        ({"grade": "C"}, ["C"]),
        ({"category": "key_retailer"}, ["B"]),
        ({"nature": "individual"}, ["A", "D"]),
        ({"status": "lost"}, ["C"]),
        ({"status": "dormant", "grade": "A"}, ["D"]),
        ({"incomplete": "true"}, ["A", "C", "D"]),
        ({"incomplete": "false"}, ["B"]),
    ],
)
def test_it_filters_the_list_by_card_fields(users, catalogue, params, names):
    assert search(users["gm"], **params) == names


@rule("CUS-5")
def test_it_filters_by_office_subtree_and_owner(users, offices, catalogue):
    gm = users["gm"]
    assert search(gm, office=offices["shanghai"].pk) == ["A", "B", "D"]
    assert search(gm, office=offices["east"].pk) == ["A", "B", "C", "D"]
    assert search(gm, office=offices["hangzhou"].pk) == ["C"]
    assert search(gm, owner=users["owner"].pk) == ["A", "D"]
    assert search(users["director"], owner=users["teammate"].pk) == ["B"]


@rule("CUS-5")
def test_it_refuses_filters_outside_the_users_scope(users, offices, catalogue):
    request = RequestFactory().get("/customers/", {"office": offices["hangzhou"].pk, "owner": users["outsider"].pk})
    request.user = users["director"]
    f = CustomerFilter(request.GET, queryset=selectors.customers_visible_to(users["director"]), request=request)
    assert not f.is_valid()
    assert sorted(f.errors) == ["office", "owner"]


@rule("CUS-1")
@pytest.mark.parametrize("params", [{"grade": "Z"}, {"category": "emperor"}, {"sort": "password"},
                                    {"owner": "abc"}, {"office": "1.5"}])
def test_it_reports_unknown_filter_values_as_invalid(users, catalogue, params):
    request = RequestFactory().get("/customers/", params)
    request.user = users["gm"]
    assert not CustomerFilter(request.GET, queryset=Customer.objects.all(), request=request).is_valid()


def _expected_order(customers, key, desc):
    def value(c):
        return c.owner.username if key == "owner" else getattr(c, SORTS[key])

    ordered = sorted(customers, key=lambda c: (value(c), c.pk))
    return [c.name[0] for c in (reversed(ordered) if desc else ordered)]


@rule("CUS-1")
@pytest.mark.parametrize("desc", [False, True], ids=["asc", "desc"])
@pytest.mark.parametrize("key", list(SORTS))
def test_it_sorts_by_every_offered_column(users, catalogue, key, desc):
    customers = list(Customer.objects.select_related("owner"))
    assert search(users["gm"], sort=("-" if desc else "") + key) == _expected_order(customers, key, desc)


@rule("CUS-1")
def test_it_sorts_exactly_as_documented_for_a_few_columns(users, catalogue):
    gm = users["gm"]
    assert search(gm, sort="name") == ["A", "B", "C", "D"]
    assert search(gm, sort="-developed_on") == ["C", "A", "D", "B"]
    assert search(gm, sort="grade") == ["A", "D", "B", "C"]
    assert search(gm, sort="-grade") == ["C", "B", "D", "A"]
    assert search(gm, sort="-completeness")[0] == "B"


@rule("CUS-1")
@pytest.mark.parametrize(
    ("q", "names"),
    [
        ("恒丰", ["D"]),  # Chinese name fragment
        ("百盛", ["B"]),
        ("批发", ["C"]),
        ("安达食品", ["A"]),
        ("KH000003", ["C"]),  # code
        ("kh000003", ["C"]),
        ("ＫＨ０００００３", ["C"]),
        ("021-5555 0101", ["A"]),  # phone as stored
        ("02155550101", ["A"]),  # phone digits only
        ("5555-0101", ["A"]),  # other separators
        ("(021)55550101", ["A"]),
        ("０２１－６６６６０２０２", ["B"]),  # full-width
        ("13800138000", ["D"]),
        ("欧阳", ["D"]),  # key person's name
        ("13911112222", ["D"]),  # key person's phone
        ("0571", ["C"]),
        ("不存在的客户", []),
        ("   ", ["A", "B", "C", "D"]),
    ],
)
def test_it_searches_names_codes_phones_and_contacts(users, catalogue, q, names):
    assert search(users["gm"], q=q) == names


@rule("CUS-5")
def test_it_searches_only_within_the_users_scope(users, catalogue):
    assert search(users["owner"], q="批发") == []
    assert search(users["owner"], q="恒丰") == ["D"]
    assert search(users["teammate"], q="KH000001") == []


@rule("CUS-6")
def test_it_keeps_private_notes_out_of_the_search_text(users, catalogue):
    services.note_add(by=users["owner"], customer=catalogue["a"], text="老板准备移民", is_private=True)
    assert search(users["gm"], q="移民") == []

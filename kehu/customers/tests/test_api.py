"""REST API for customers and key people (kehu/customers/api.py): same scopes, same rules."""

import pytest

from conftest import PASSWORD, ROLES, SEES_HANGZHOU, SEES_SHANGHAI, rule
from kehu.accounts.models import ApiToken, token_digest
from kehu.customers import services
from kehu.customers.models import Customer, CustomerEvent, KeyPerson
from kehu.customers.tests.builders import new_customer, new_key_person

pytestmark = pytest.mark.usefixtures("in_english", "english_client")

URL = "/api/v1/customers/"
PEOPLE = "/api/v1/key-people/"


def snapshot():
    return (sorted(Customer.objects.values_list("id", "code", "name", "grade", "owner_id", "version")),
            Customer.history.count(),
            sorted(KeyPerson.objects.values_list("id", "name", "title", "version")),
            CustomerEvent.objects.count())


def codes(response):
    assert response.status_code == 200, response.content
    return sorted(row["code"] for row in response.json()["results"])


# --- list and detail: scopes -----------------------------------------------------------------

@rule("CUS-5")
@pytest.mark.parametrize("role", ROLES)
def test_it_lists_only_customers_in_the_users_scope(users, customer, outsider_customer, client_for, role):
    expected = [code for code, sees in (("KH000001", SEES_SHANGHAI), ("KH000002", SEES_HANGZHOU)) if role in sees]
    response = client_for(users[role]).get(URL)
    assert codes(response) == expected
    assert response.json()["count"] == len(expected)


@rule("CUS-5")
def test_it_answers_the_list_with_the_card_fields(users, customer, client_for):
    row = client_for(users["owner"]).get(URL).json()["results"][0]
    assert {k: row[k] for k in ("id", "code", "name", "category", "grade", "status", "phone", "owner", "owner_name",
                                 "office_name", "completeness", "version", "transport_modes")} == {
        "id": customer.pk, "code": "KH000001", "name": "上海恒丰商贸有限公司", "category": "wholesaler_1",
        "grade": "C", "status": "prospect", "phone": "021-5555 0101", "owner": users["owner"].pk,
        "owner_name": "张伟", "office_name": "上海一组", "completeness": 14, "version": 1, "transport_modes": [],
    }
    assert "search_text" not in row and "name_key" not in row


@rule("CUS-5")
def test_it_refuses_anonymous_requests(client, customer):
    assert client.get(URL).status_code in (401, 403)
    assert client.get(f"{URL}{customer.pk}/").status_code in (401, 403)


@rule("CUS-1")
def test_it_filters_the_list_with_the_query_string(users, customer, outsider_customer, client_for):
    api = client_for(users["gm"])
    services.customer_update(by=users["director"], customer=customer, version=1, data={"grade": "A"})
    assert codes(api.get(URL, {"grade": "A"})) == ["KH000001"]
    assert codes(api.get(URL, {"grade": "B"})) == []
    assert codes(api.get(URL, {"q": "恒丰"})) == ["KH000001"]
    assert codes(api.get(URL, {"q": "西湖"})) == ["KH000002"]
    assert codes(api.get(URL, {"q": "0571 88880202"})) == ["KH000002"]
    assert codes(api.get(URL, {"category": "key_retailer"})) == ["KH000002"]
    assert codes(api.get(URL, {"owner": users["outsider"].pk})) == ["KH000002"]
    assert [r["code"] for r in api.get(URL, {"sort": "-code"}).json()["results"]] == ["KH000002", "KH000001"]
    # a salesperson's filter never widens the scope
    assert codes(client_for(users["owner"]).get(URL, {"q": "西湖"})) == []


@rule("CUS-5")
def test_it_shows_the_detail_of_a_customer_in_scope(users, customer, client_for):
    response = client_for(users["director"]).get(f"{URL}{customer.pk}/")
    assert response.status_code == 200
    assert (response.json()["code"], response.json()["version"]) == ("KH000001", 1)


@rule("CUS-5")
@pytest.mark.parametrize("role", ["teammate", "outsider", "other_director"])
def test_it_answers_404_for_a_customer_outside_the_scope(users, customer, client_for, role):
    api = client_for(users[role])
    assert api.get(f"{URL}{customer.pk}/").status_code == 404
    before = snapshot()
    assert api.patch(f"{URL}{customer.pk}/", {"grade": "A", "version": 1},
                     content_type="application/json").status_code == 404
    assert snapshot() == before


@rule("CUS-5")
@pytest.mark.parametrize("bad_id", ["abc", "1.5", "999999", "-1"])
def test_it_answers_404_for_ids_that_are_not_customers(users, customer, client_for, bad_id):
    assert client_for(users["gm"]).get(f"{URL}{bad_id}/").status_code == 404


@rule("CUS-1")
@pytest.mark.parametrize("params", [{"grade": "Z"}, {"category": "emperor"}, {"sort": "password"},
                                    {"owner": "abc"}, {"office": "x"}, {"owner": "999999"}])
def test_it_answers_400_for_bad_filter_values(users, customer, client_for, params):
    response = client_for(users["gm"]).get(URL, params)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == list(params)


# --- create --------------------------------------------------------------------------------

@rule("CUS-1")
def test_it_creates_a_customer_owned_by_the_requester(users, offices, client_for):
    response = client_for(users["owner"]).post(
        URL, {"name": "新华超市", "category": "key_retailer", "grade": "C", "transport_modes": ["road"],
              "registered_capital": "1000000.00", "code": "KH999999", "completeness": 100},
        content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["code"], body["owner"], body["office"], body["version"], body["completeness"]) == (
        "KH000001", users["owner"].pk, offices["team"].pk, 1, 14)
    customer = Customer.objects.get()
    assert (customer.code, customer.owner, customer.filled_by, customer.registered_capital) == (
        "KH000001", users["owner"], users["owner"], 1000000)
    assert customer.history.get().history_user == users["owner"]


@rule("CUS-8")
def test_it_answers_409_for_a_duplicate_and_creates_it_when_told_to_keep_both(users, customer, client_for):
    api = client_for(users["teammate"])
    payload = {"name": "上海 恒丰商贸", "category": "agent"}
    before = snapshot()
    response = api.post(URL, payload, content_type="application/json")
    assert response.status_code == 409
    assert response.json()["code"] == "duplicate"
    assert "张伟" in response.json()["detail"] and "KH000001" not in response.json()["detail"]  # outside her scope
    assert snapshot() == before
    response = api.post(URL, {**payload, "on_duplicate": "keep_both"}, content_type="application/json")
    assert response.status_code == 201
    assert response.json()["code"] == "KH000002"
    assert "on_duplicate" not in response.json()
    assert CustomerEvent.objects.get().kind == CustomerEvent.Kind.DUPLICATE_KEPT


@rule("CUS-1")
@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": "甲", "category": "agent", "employee_count": "abc"}, "employee_count"),
        ({"name": "甲", "category": "agent", "registered_capital": "lots"}, "registered_capital"),
        ({"name": "甲", "category": "agent", "founded_on": "yesterday"}, "founded_on"),
        ({"name": "甲", "category": "agent", "postcode": "123"}, "postcode"),
        ({"name": "甲", "category": "emperor"}, "category"),
        ({"name": "甲", "category": "agent", "transport_modes": ["air"]}, "transport_modes"),
        ({"name": "甲", "category": "agent", "product_lines": "饮料 80%; 零食 30%"}, "product_lines"),
        ({"name": "甲", "category": "agent", "owner": "abc"}, "owner"),
        ({"name": "甲", "category": "agent", "on_duplicate": "merge"}, "on_duplicate"),
        ({"category": "agent"}, "name"),
    ],
)
def test_it_answers_400_for_bad_input_and_creates_nothing(users, client_for, payload, field):
    response = client_for(users["owner"]).post(URL, payload, content_type="application/json")
    assert response.status_code == 400, response.content
    body = response.json()
    assert field in {key.split(".")[0] for key in body["errors"]}
    assert Customer.objects.count() == 0


@rule("CUS-1")
def test_it_answers_400_for_a_body_that_is_not_json(users, client_for):
    response = client_for(users["owner"]).post(URL, "{not json", content_type="application/json")
    assert response.status_code == 400
    assert Customer.objects.count() == 0


@rule("CUS-5")
def test_it_refuses_an_owner_outside_the_requesters_scope(users, client_for):
    response = client_for(users["director"]).post(
        URL, {"name": "新华超市", "category": "agent", "owner": users["outsider"].pk}, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"] == {"owner": ["Choose a salesperson in your scope."]}
    assert Customer.objects.count() == 0


@rule("CUS-1")
@pytest.mark.parametrize("role", ["service", "finance"])
def test_it_answers_403_to_read_only_roles_that_write(users, customer, client_for, role):
    api = client_for(users[role])
    before = snapshot()
    assert api.post(URL, {"name": "新华超市", "category": "agent"}, content_type="application/json").status_code == 403
    assert api.patch(f"{URL}{customer.pk}/", {"grade": "A", "version": 1},
                     content_type="application/json").status_code == 403
    assert api.put(f"{URL}{customer.pk}/", {"name": "x", "category": "agent", "version": 1},
                   content_type="application/json").status_code == 403
    assert snapshot() == before


# --- update --------------------------------------------------------------------------------

@rule("CUS-3")
def test_it_requires_the_version_on_update(users, customer, client_for):
    before = snapshot()
    response = client_for(users["owner"]).patch(f"{URL}{customer.pk}/", {"grade": "A"}, content_type="application/json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["version"]
    assert snapshot() == before


@rule("CUS-3")
def test_it_answers_409_for_a_stale_version_and_changes_nothing(users, customer, client_for):
    services.customer_update(by=users["director"], customer=customer, version=1, data={"grade": "B"})
    before = snapshot()
    response = client_for(users["owner"]).patch(f"{URL}{customer.pk}/", {"grade": "A", "version": 1},
                                                content_type="application/json")
    assert response.status_code == 409
    assert response.json()["code"] == "stale"
    assert snapshot() == before
    customer.refresh_from_db()
    assert (customer.grade, customer.version) == ("B", 2)


@rule("CUS-3")
def test_it_updates_with_the_right_version(users, customer, client_for):
    api = client_for(users["director"])
    response = api.patch(f"{URL}{customer.pk}/", {"grade": "A", "postcode": "201203", "version": 1},
                         content_type="application/json")
    assert response.status_code == 200, response.content
    assert (response.json()["grade"], response.json()["postcode"], response.json()["version"]) == ("A", "201203", 2)
    response = api.put(f"{URL}{customer.pk}/", {"name": "上海恒丰商贸有限公司", "category": "agent", "version": 2},
                       content_type="application/json")
    assert response.status_code == 200, response.content
    customer.refresh_from_db()
    assert (customer.category, customer.grade, customer.postcode, customer.version) == ("agent", "A", "201203", 3)
    assert customer.history.first().history_user == users["director"]


@rule("CRD-2")
def test_crd2_a_salesperson_cannot_change_payment_terms_or_grade_over_the_api(users, customer, client_for):
    """CRD-2: PATCH {"payment_days": 365, "grade": "A"} by the salesperson was answered 200 and
    moved every due date a year on: now 403 with the reason and nothing changes, on create too;
    unchanged values pass with the rest of an edit; the office director sets them."""
    owner = client_for(users["owner"])
    url = f"{URL}{customer.pk}/"

    def state():
        return snapshot(), list(Customer.objects.values_list("payment_days", flat=True))

    before = state()
    message = ("The grade and the payment terms (账期) are credit decisions that your role cannot set: ask for them "
               "with a credit request, or ask your manager.")
    for body in ({"payment_days": 365, "grade": "A"}, {"payment_days": 365}, {"grade": "A"}):
        response = owner.patch(url, {**body, "version": 1}, content_type="application/json")
        assert (response.status_code, response.json()["detail"]) == (403, message)
    created = owner.post(URL, {"name": "新华超市", "category": "agent", "payment_days": 365},
                         content_type="application/json")
    assert (created.status_code, created.json()["detail"]) == (403, message)
    assert state() == before
    same = owner.patch(url, {"grade": "C", "payment_days": None, "postcode": "201203", "version": 1},
                       content_type="application/json")
    assert (same.status_code, same.json()["postcode"]) == (200, "201203")
    decided = client_for(users["director"]).patch(url, {"payment_days": 90, "grade": "B", "version": 2},
                                                  content_type="application/json")
    assert decided.status_code == 200, decided.content
    customer.refresh_from_db()
    assert (customer.payment_days, customer.grade, customer.version) == (90, "B", 3)


@rule("CUS-1")
def test_cus1_developed_by_is_a_salesperson_the_card_form_offers(users, customer, client_for):
    """CUS-1: the API took any user as "developed by" (the GM, a salesperson of another office,
    finance staff); now only a salesperson in the user's scope — the card form's choices — on
    create and on update, with a 400 naming the field and nothing changed."""
    from kehu.customers.forms import CustomerForm

    director = client_for(users["director"])
    offered = set(CustomerForm(user=users["director"]).fields["developed_by"].queryset.values_list("pk", flat=True))
    assert offered == {users["owner"].pk, users["teammate"].pk, users["director"].pk}
    url = f"{URL}{customer.pk}/"
    version = 1
    for name in ("gm", "outsider", "finance", "vp", "other_director", "service", "teammate", "owner"):
        pk = users[name].pk
        before = snapshot()
        response = director.patch(url, {"developed_by": pk, "version": version}, content_type="application/json")
        created = director.post(URL, {"name": f"新客户{name}", "category": "agent", "developed_by": pk},
                                content_type="application/json")
        if pk in offered:
            assert (response.status_code, response.json()["developed_by"]) == (200, pk)
            assert created.status_code == 201, created.content
            version += 1
        else:
            assert (response.status_code, response.json()["detail"]) == (
                400, "“Developed by” must be a salesperson in your scope."), name
            assert response.json()["errors"] == {"developed_by": ["Choose a salesperson in your scope."]}
            assert created.status_code == 400
            assert snapshot() == before
    # A salesperson names only themselves; an unchanged value passes with the rest of an edit.
    owner = client_for(users["owner"])
    assert owner.patch(url, {"developed_by": users["teammate"].pk, "version": version},
                       content_type="application/json").status_code == 400
    assert owner.patch(url, {"developed_by": users["owner"].pk, "postcode": "201203", "version": version},
                       content_type="application/json").status_code == 200


@rule("CUS-5")
def test_it_refuses_to_change_the_owner_by_editing(users, customer, client_for):
    before = snapshot()
    response = client_for(users["director"]).patch(
        f"{URL}{customer.pk}/", {"owner": users["teammate"].pk, "version": 1}, content_type="application/json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["owner"]
    assert snapshot() == before


@rule("CUS-3")
def test_it_answers_400_for_a_bad_update_and_changes_nothing(users, customer, client_for):
    before = snapshot()
    api = client_for(users["owner"])
    for payload in ({"postcode": "12", "version": 1}, {"employee_count": "many", "version": 1},
                    {"grade": "A", "version": "one"}):
        response = api.patch(f"{URL}{customer.pk}/", payload, content_type="application/json")
        assert response.status_code == 400, payload
    assert snapshot() == before


@rule("CUS-1")
def test_it_does_not_delete_customers(users, customer, client_for):
    before = snapshot()
    assert client_for(users["gm"]).delete(f"{URL}{customer.pk}/").status_code == 405
    assert snapshot() == before


# --- token auth ----------------------------------------------------------------------------

@rule("CUS-5")
def test_it_authenticates_with_a_token(users, customer, client):
    response = client.post("/api/v1/auth/token/", {"username": "owner", "password": PASSWORD})
    assert response.status_code == 200
    token = response.json()["token"]
    assert ApiToken.objects.get(user=users["owner"]).digest == token_digest(token)
    client.logout()
    response = client.get(URL, headers={"Authorization": f"Token {token}"})
    assert codes(response) == ["KH000001"]
    assert client.get(URL, headers={"Authorization": "Token wrong"}).status_code == 401


@rule("CUS-5")
def test_it_refuses_a_token_for_a_wrong_password(users, client):
    response = client.post("/api/v1/auth/token/", {"username": "owner", "password": "wrong"})
    assert response.status_code == 400
    assert ApiToken.objects.count() == 0


# --- key people ----------------------------------------------------------------------------

@pytest.fixture
def people(users, customer, outsider_customer):
    mine = new_key_person(by=users["owner"], customer=customer, role="buyer", name="赵敏")
    theirs = new_key_person(by=users["outsider"], customer=outsider_customer, role="in_charge", name="钱多")
    return mine, theirs


@rule("CUS-2")
@pytest.mark.parametrize(("role", "expected"), [("owner", ["赵敏"]), ("outsider", ["钱多"]), ("teammate", []),
                                                ("director", ["赵敏"]), ("gm", ["赵敏", "钱多"])])
def test_it_lists_key_people_in_scope(users, people, client_for, role, expected):
    response = client_for(users[role]).get(PEOPLE)
    assert response.status_code == 200
    assert sorted(p["name"] for p in response.json()["results"]) == sorted(expected)


@rule("CUS-2")
def test_it_answers_404_for_key_people_outside_the_scope(users, people, client_for):
    _mine, theirs = people
    api = client_for(users["owner"])
    assert api.get(f"{PEOPLE}{theirs.pk}/").status_code == 404
    assert api.get(f"{PEOPLE}abc/").status_code == 404
    assert api.get(PEOPLE, {"customer": "abc"}).status_code == 400


@rule("CUS-2")
def test_it_adds_a_key_person_and_reports_a_new_buyer(users, customer, people, client_for):
    response = client_for(users["owner"]).post(
        PEOPLE, {"customer": customer.pk, "role": "buyer", "name": "孙丽", "phone": "139 1111 2222"},
        content_type="application/json")
    assert response.status_code == 201, response.content
    assert (response.json()["name"], response.json()["is_current"], response.json()["version"]) == ("孙丽", True, 1)
    assert CustomerEvent.objects.get().message == "New Buyer 采购人: 孙丽"
    customer.refresh_from_db()
    assert "孙丽" in customer.search_text


@rule("CUS-2")
def test_it_answers_404_when_adding_a_key_person_to_a_customer_outside_the_scope(users, outsider_customer, people,
                                                                                client_for):
    before = snapshot()
    api = client_for(users["owner"])
    for customer_id in (outsider_customer.pk, 999999):  # out of scope and missing look the same
        response = api.post(PEOPLE, {"customer": customer_id, "role": "buyer", "name": "孙丽"},
                            content_type="application/json")
        assert response.status_code == 404
    response = api.post(PEOPLE, {"customer": "abc", "role": "buyer", "name": "孙丽"}, content_type="application/json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["customer"]
    assert snapshot() == before


@rule("CUS-2")
def test_it_answers_403_when_a_read_only_role_adds_a_key_person(users, customer, client_for):
    response = client_for(users["service"]).post(
        PEOPLE, {"customer": customer.pk, "role": "buyer", "name": "孙丽"}, content_type="application/json")
    assert response.status_code == 403
    assert KeyPerson.objects.count() == 0


@rule("CUS-2")
def test_it_updates_a_key_person_with_the_version(users, customer, people, client_for):
    mine, _theirs = people
    api = client_for(users["owner"])
    before = snapshot()
    assert api.patch(f"{PEOPLE}{mine.pk}/", {"title": "采购经理"}, content_type="application/json").status_code == 400
    assert api.patch(f"{PEOPLE}{mine.pk}/", {"title": "采购经理", "version": 7},
                     content_type="application/json").status_code == 409
    assert snapshot() == before
    response = api.patch(f"{PEOPLE}{mine.pk}/", {"title": "采购经理", "version": 1}, content_type="application/json")
    assert response.status_code == 200
    assert (response.json()["title"], response.json()["version"]) == ("采购经理", 2)
    other = new_customer(by=users["owner"], name="浦东第二家", category="agent")
    response = api.patch(f"{PEOPLE}{mine.pk}/", {"customer": other.pk, "version": 2},
                         content_type="application/json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["customer"]
    response = api.patch(f"{PEOPLE}{mine.pk}/", {"customer": _theirs.customer_id, "version": 2},
                         content_type="application/json")
    assert response.status_code == 404
    mine.refresh_from_db()
    assert (mine.title, mine.version, mine.customer) == ("采购经理", 2, customer)


# --- schema and docs -----------------------------------------------------------------------

@rule("CUS-1")
def test_it_publishes_an_openapi_schema_with_the_customer_endpoints(users, client_for):
    response = client_for(users["owner"]).get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert {"/api/v1/customers/", "/api/v1/customers/{id}/", "/api/v1/key-people/",
            "/api/v1/key-people/{id}/"} <= set(schema["paths"])
    assert set(schema["paths"]["/api/v1/customers/"]) == {"get", "post"}
    parameters = {p["name"] for p in schema["paths"]["/api/v1/customers/"]["get"]["parameters"]}
    assert {"q", "grade", "category", "nature", "status", "office", "owner", "incomplete", "sort"} <= parameters


@rule("CUS-1")
def test_it_renders_the_api_docs_page(users, client_for):
    response = client_for(users["owner"]).get("/api/docs/")
    assert response.status_code == 200
    assert b"swagger" in response.content.lower()

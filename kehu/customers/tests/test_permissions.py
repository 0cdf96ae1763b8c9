"""The permission matrix: every role against every customer page and API endpoint, for a
customer in the Shanghai office (owned by `owner`) and one in the Hangzhou office.
Outside the scope → 404 (existence is not revealed); in scope but read-only → 403."""

import pytest
from django.urls import reverse

from conftest import rule

pytestmark = pytest.mark.django_db

ROLES = ["owner", "teammate", "outsider", "director", "other_director", "manager", "vp", "gm", "service",
         "finance", "admin"]
# Who sees which customer (core.scopes): own / office subtree / all.
SEES_SHANGHAI = {"owner", "director", "manager", "vp", "gm", "service", "finance", "admin"}
SEES_HANGZHOU = {"outsider", "other_director", "manager", "vp", "gm", "service", "finance", "admin"}
READ_ONLY = {"service", "finance"}
MANAGERS = {"director", "other_director", "manager", "vp", "gm", "admin"}


def expected(role, sees, *, write):
    if role not in sees:
        return 404
    if write and role in READ_ONLY:
        return 403
    return 200


@rule("CUS-5")
@pytest.mark.parametrize("role", ROLES)
def test_it_applies_the_scope_to_every_customer_page(role, client_for, users, customer, outsider_customer):
    client = client_for(users[role])
    for target, sees in ((customer, SEES_SHANGHAI), (outsider_customer, SEES_HANGZHOU)):
        pk = target.pk
        for name, write in (("detail", False), ("print", False), ("edit", True), ("person_add", True)):
            status = client.get(reverse(f"customers:{name}", args=[pk])).status_code
            assert status == expected(role, sees, write=write), (role, target.name, name, status)
        note = client.post(reverse("customers:note_add", args=[pk]), {"text": "回访记录"})
        assert note.status_code == (302 if role in sees else 404), (role, "note_add", note.status_code)
        person = target.key_people.create(role="seller", name="店员甲")
        status = client.get(reverse("customers:person_edit", args=[pk, person.pk])).status_code
        assert status == expected(role, sees, write=True), (role, "person_edit", status)


@rule("CUS-5")
@pytest.mark.parametrize("role", ROLES)
def test_it_applies_the_role_to_every_list_page(role, client_for, users, customer):
    client = client_for(users[role])
    assert client.get(reverse("customers:list")).status_code == 200
    assert client.get(reverse("customers:export")).status_code == 200
    can_edit = 403 if role in READ_ONLY else 200
    assert client.get(reverse("customers:create")).status_code == can_edit
    assert client.get(reverse("customers:import")).status_code == can_edit
    assert client.get(reverse("customers:reassign")).status_code == (200 if role in MANAGERS else 403)


@rule("PLT-2")
@pytest.mark.parametrize("role", ROLES)
def test_it_applies_the_scope_to_every_api_endpoint(role, client_for, users, customer, outsider_customer):
    client = client_for(users[role])
    listed = {c["id"] for c in client.get("/api/v1/customers/").json()["results"]}
    assert listed == {c.pk for c, sees in ((customer, SEES_SHANGHAI), (outsider_customer, SEES_HANGZHOU))
                      if role in sees}
    for target, sees in ((customer, SEES_SHANGHAI), (outsider_customer, SEES_HANGZHOU)):
        detail = client.get(f"/api/v1/customers/{target.pk}/")
        assert detail.status_code == expected(role, sees, write=False), (role, "api detail")
        target.refresh_from_db()
        update = client.patch(f"/api/v1/customers/{target.pk}/", {"version": target.version, "fax": "021-000"},
                              content_type="application/json")
        assert update.status_code == expected(role, sees, write=True), (role, "api update", update.content)
        person = target.key_people.create(role="buyer", name="采购乙")
        assert client.get(f"/api/v1/key-people/{person.pk}/").status_code == expected(role, sees, write=False)
        update = client.patch(f"/api/v1/key-people/{person.pk}/", {"version": person.version, "title": "经理"},
                              content_type="application/json")
        assert update.status_code == expected(role, sees, write=True), (role, "api person update")
        created = client.post("/api/v1/key-people/", {"customer": target.pk, "role": "seller", "name": "新人"},
                              content_type="application/json")
        assert created.status_code == {200: 201}.get(expected(role, sees, write=True), expected(role, sees, write=True))
    create = client.post("/api/v1/customers/", {"name": f"{role}新开发客户", "category": "other"},
                         content_type="application/json")
    assert create.status_code == (403 if role in READ_ONLY else 201), (role, "api create", create.content)


@rule("PLT-2")
def test_it_refuses_anonymous_access_everywhere(client, customer):
    for url in (reverse("customers:list"), reverse("customers:detail", args=[customer.pk])):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.get("/api/v1/customers/").status_code in (401, 403)

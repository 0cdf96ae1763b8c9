"""The customer pool 公海 (CUS-7): claiming (first come, locked, logged, within the ownership
limit), assigning by a manager, the pool page and its endpoints."""

import pytest
from django.utils import translation

from conftest import at_once, rule
from kehu.core.errors import PermissionDeniedError, ValidationFailed
from kehu.customers import services
from kehu.customers.models import Customer, CustomerEvent, PoolPolicy
from kehu.customers.tests.builders import new_customer, new_customers, pooled

pytestmark = pytest.mark.usefixtures("in_english")


def limit_to(number: int) -> None:
    policy = PoolPolicy.current()
    policy.owner_limit = number
    policy.save()


def events(customer) -> list[str]:
    return list(CustomerEvent.objects.filter(customer=customer).order_by("id").values_list("kind", flat=True))


@rule("CUS-7")
def test_cus7_a_dropped_customer_has_no_owner_and_a_claim_makes_it_the_claimers_logged(users, customer):
    pooled(customer)
    assert (customer.owner, customer.in_pool) == (None, True)
    claimed = services.pool_claim(by=users["teammate"], customer_id=customer.pk)
    claimed.refresh_from_db()
    assert (claimed.owner, claimed.office, claimed.in_pool, claimed.pooled_at) == (
        users["teammate"], users["teammate"].office, False, None)
    assert events(customer) == ["pool_dropped", "pool_claimed"]
    assert customer.history.first().history_user == users["teammate"]


@rule("CUS-7")
def test_cus7_claiming_at_the_ownership_limit_is_refused_and_changes_nothing(users, customer):
    new_customers(by=users["teammate"], count=2)
    limit_to(2)
    pooled(customer)
    with pytest.raises(ValidationFailed, match="already owns 2 customers; the limit is 2"):
        services.pool_claim(by=users["teammate"], customer_id=customer.pk)
    customer.refresh_from_db()
    assert (customer.owner, customer.in_pool) == (None, True)
    assert events(customer) == ["pool_dropped"]
    limit_to(3)
    assert services.pool_claim(by=users["teammate"], customer_id=customer.pk).owner == users["teammate"]


@rule("CUS-7")
def test_cus7_a_customer_claimed_already_or_never_in_the_pool_is_refused_clearly(users, customer, outsider_customer):
    pooled(customer)
    services.pool_claim(by=users["teammate"], customer_id=customer.pk)
    with pytest.raises(ValidationFailed, match="no longer in the pool: someone claimed it first"):
        services.pool_claim(by=users["outsider"], customer_id=customer.pk)
    with pytest.raises(ValidationFailed, match="no longer in the pool"):
        services.pool_claim(by=users["teammate"], customer_id=outsider_customer.pk)
    with pytest.raises(ValidationFailed, match="Choose a customer"):
        services.pool_claim(by=users["teammate"], customer_id="abc")
    with pytest.raises(PermissionDeniedError):
        services.pool_claim(by=users["director"], customer_id=customer.pk)  # managers assign, they do not claim


@rule("CUS-7")
@pytest.mark.django_db(transaction=True)
def test_cus7_two_salespeople_claiming_the_same_customer_at_the_same_moment_exactly_one_wins(users, customer):
    pooled(customer)
    claimers = [users["teammate"], users["outsider"], users["owner"]]
    def claim(who):
        with translation.override("en"):  # each thread starts in the default language, Chinese
            return services.pool_claim(by=who, customer_id=customer.pk)

    outcomes = at_once(claim, claimers, refused=ValidationFailed)
    won = [o for o in outcomes if isinstance(o, Customer)]
    lost = [o for o in outcomes if isinstance(o, ValidationFailed)]
    assert (len(won), len(lost)) == (1, 2)
    assert all("someone claimed it first" in exc.message for exc in lost), [exc.message for exc in lost]
    customer.refresh_from_db()
    assert customer.owner == won[0].owner and not customer.in_pool
    assert events(customer) == ["pool_dropped", "pool_claimed"]


@rule("CUS-7")
@pytest.mark.django_db(transaction=True)
def test_cus7_one_salesperson_claiming_two_at_the_same_moment_stays_within_the_limit(users, customer,
                                                                                      outsider_customer):
    pooled(customer), pooled(outsider_customer)
    new_customer(by=users["teammate"], name="上海永兴五金店")
    limit_to(2)
    outcomes = at_once(lambda target: services.pool_claim(by=users["teammate"], customer_id=target.pk),
                       [customer, outsider_customer], refused=ValidationFailed)
    assert sorted(type(o).__name__ for o in outcomes) == ["Customer", "ValidationFailed"]
    assert Customer.objects.filter(owner=users["teammate"]).count() == 2


@rule("CUS-7")
def test_cus7_a_manager_assigns_from_the_pool_within_the_salespersons_limit(users, customer, outsider_customer):
    pooled(customer), pooled(outsider_customer)
    with pytest.raises(PermissionDeniedError):
        services.pool_assign(by=users["owner"], customer_ids=[customer.pk], to_owner=users["owner"])
    with pytest.raises(ValidationFailed, match="salesperson in your scope"):
        services.pool_assign(by=users["director"], customer_ids=[customer.pk], to_owner=users["outsider"])
    limit_to(1)
    with pytest.raises(ValidationFailed, match="the limit is 1"):
        services.pool_assign(by=users["director"], customer_ids=[customer.pk, outsider_customer.pk],
                             to_owner=users["teammate"])
    assert Customer.objects.filter(in_pool=True).count() == 2  # all or nothing
    limit_to(10)
    assert services.pool_assign(by=users["director"], customer_ids=[customer.pk, outsider_customer.pk],
                                to_owner=users["teammate"]) == 2
    assert set(Customer.objects.values_list("owner__username", "in_pool")) == {("teammate", False)}
    assert events(customer) == ["pool_dropped", "pool_assigned"]
    with pytest.raises(ValidationFailed, match="no longer in the pool"):
        services.pool_assign(by=users["director"], customer_ids=[customer.pk], to_owner=users["owner"])


@rule("CUS-7")
def test_cus7_the_pool_is_shared_and_only_those_who_work_with_it_see_it(users, customer, outsider_customer,
                                                                        client_for):
    from kehu.customers.selectors import pool_visible_to

    pooled(customer)
    for role in ("owner", "outsider", "director", "other_director", "gm"):
        assert list(pool_visible_to(users[role])) == [customer], role
    for role in ("service", "finance"):
        assert not pool_visible_to(users[role]).exists()
        assert client_for(users[role]).get("/customers/pool/").status_code == 403


@rule("CUS-7")
def test_cus7_the_pool_page_lists_claims_with_confirmation_and_exports(users, customer, outsider_customer, en,
                                                                       page_within):
    client = en(users["outsider"])
    empty = client.get("/customers/pool/")
    assert "The pool is empty" in empty.content.decode()
    pooled(customer)
    for n in range(5):
        pooled(new_customer(by=users["owner"], name=f"公海客户{n}号商店"))
    page = page_within(client, "/customers/pool/", {"grade": "C", "sort": "name"}, queries=12).content.decode()
    assert customer.name in page and f'id="claim-{customer.pk}"' in page and "data-confirm" in page
    assert "You own 1 customers of at most 200." in page
    answer = client.post(f"/customers/pool/{customer.pk}/claim/")
    assert answer.status_code == 302 and answer["Location"] == f"/customers/{customer.pk}/"
    again = client.post(f"/customers/pool/{customer.pk}/claim/", follow=True)
    assert "someone claimed it first" in again.content.decode()
    export = client.get("/customers/pool/export.xlsx", {"q": "公海客户"})
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")
    from django.core.files.uploadedfile import SimpleUploadedFile

    from kehu.core.excel import read_table

    headers, rows = read_table(SimpleUploadedFile("pool.xlsx", export.content))
    assert len(rows) == 5 and "customer name" in [h.lower() for h in headers]


@rule("CUS-7")
def test_cus7_the_pool_page_lets_a_manager_assign_the_selected(users, customer, en):
    pooled(customer)
    client = en(users["director"])
    page = client.get("/customers/pool/").content.decode()
    assert 'id="assign-button"' in page and 'id="claim-' not in page
    done = client.post("/customers/pool/assign/", {"ids": [customer.pk], "to_owner": users["teammate"].pk},
                       follow=True)
    assert "1 customers assigned to" in done.content.decode()
    customer.refresh_from_db()
    assert customer.owner == users["teammate"]
    refused = client.post("/customers/pool/assign/", {"ids": ["x"], "to_owner": users["teammate"].pk}, follow=True)
    assert "nothing was assigned" in refused.content.decode()


@rule("CUS-7")
def test_cus7_the_pool_endpoints_list_claim_and_assign(users, customer, outsider_customer, client_for):
    pooled(customer), pooled(outsider_customer)
    api = client_for(users["teammate"])
    listed = api.get("/api/v1/pool/", {"ordering": "name"}).json()
    assert {row["id"] for row in listed["results"]} == {customer.pk, outsider_customer.pk}
    claimed = api.post(f"/api/v1/pool/{customer.pk}/claim/", content_type="application/json")
    assert claimed.status_code == 200 and claimed.json()["owner"] == users["teammate"].pk
    assert api.post(f"/api/v1/pool/{customer.pk}/claim/", content_type="application/json").status_code == 404
    manager = client_for(users["director"])
    bad = manager.post("/api/v1/pool/assign/", {"customers": [], "to_owner": users["teammate"].pk},
                       content_type="application/json")
    assert bad.status_code == 400
    outside = manager.post("/api/v1/pool/assign/", {"customers": [outsider_customer.pk],
                                                    "to_owner": users["outsider"].pk},
                           content_type="application/json")
    assert outside.status_code == 400 and "to_owner" in outside.json()["errors"]
    done = manager.post("/api/v1/pool/assign/", {"customers": [outsider_customer.pk], "to_owner": users["owner"].pk},
                        content_type="application/json")
    assert done.status_code == 200 and done.json() == {"assigned": 1}


@rule("CUS-7")
def test_cus7_a_key_account_is_marked_by_a_manager_only(users, customer):
    with pytest.raises(PermissionDeniedError):
        services.key_account_set(by=users["owner"], customer=customer, tier="NKA")
    with pytest.raises(ValidationFailed, match="tier"):
        services.key_account_set(by=users["director"], customer=customer, tier="XXL")
    assert services.key_account_set(by=users["director"], customer=customer, tier="NKA").key_account == "NKA"
    assert services.pool_drop(customer_ids=[customer.pk], reason="测试") == 0  # never drops


@rule("CUS-7")
def test_cus7_a_customer_reassigned_from_the_customer_list_leaves_the_pool(users, customer):
    pooled(customer)
    services.customers_reassign(by=users["director"], customer_ids=[customer.pk], to_owner=users["teammate"],
                                reason="接手")
    customer.refresh_from_db()
    assert (customer.owner, customer.in_pool, customer.pooled_at) == (users["teammate"], False, None)

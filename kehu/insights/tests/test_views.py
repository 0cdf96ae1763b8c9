import pytest
from django.urls import reverse

from conftest import rule
from kehu.customers import services

pytestmark = pytest.mark.django_db


@rule("CUS-5")
@pytest.mark.parametrize(("role", "count"), [("owner", 1), ("teammate", 0), ("director", 1), ("manager", 2),
                                             ("other_director", 1), ("gm", 2)])
def test_it_counts_the_customers_in_the_users_scope(role, count, client_for, users, customer, outsider_customer):
    response = client_for(users[role]).get(reverse("home"))
    assert response.context["customer_count"] == count


@rule("CUS-2")
def test_it_shows_personnel_changes_at_customers(client_for, users, customer):
    buyer = services.key_person_add(by=users["owner"], customer=customer, data={"role": "buyer", "name": "周强"})
    services.key_person_end(by=users["owner"], person=buyer, version=buyer.version)
    response = client_for(users["director"]).get(reverse("home"))
    assert "周强" in response.text
    assert "周强" not in client_for(users["outsider"]).get(reverse("home")).text

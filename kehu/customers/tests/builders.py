"""Customers for tests, made through the real services (CUS-1): codes, owners, offices and
the derived columns are what a user creating the card would get.

    from kehu.customers.tests.builders import new_customer
    shop = new_customer(by=users["teammate"], name="上海永兴五金店", category="key_retailer")
"""

from kehu.customers import services
from kehu.customers.models import Category, Customer, KeyPerson


def new_customer(*, by, name: str, category: str = Category.AGENT, owner=None, on_duplicate: str | None = None,
             **data) -> Customer:
    """A card created by `by` (and owned by them unless `owner`); `data` are further fields of the card.
    The grade and the payment days, credit decisions (CRD-2), are written directly when `by`
    may not set them, as if a manager had (kehu.sales.tests.builders.credit_limit does the same)."""
    terms = {}
    if services.credit_terms_refused(by=by, data=data):
        terms = {name: data.pop(name) for name in services.CREDIT_TERMS if name in data}
    customer = services.customer_create(by=by, data={"name": name, "category": category, **data}, owner=owner,
                                        on_duplicate=on_duplicate)
    if terms:
        Customer.objects.filter(pk=customer.pk).update(**terms)
        customer.refresh_from_db()
    return customer


def new_customers(*, by, count: int, name: str = "客户{n}号商店", **data) -> list[Customer]:
    """`count` cards of `by`, named from `name` with n = 0, 1, …"""
    return [new_customer(by=by, name=name.format(n=n), **data) for n in range(count)]


def new_key_person(*, by, customer: Customer, role: str, name: str, **data) -> KeyPerson:
    """A current key person of the customer (CUS-2)."""
    return services.key_person_add(by=by, customer=customer, data={"role": role, "name": name, **data})


def owned_for(customer: Customer, *, days: int) -> Customer:
    """As if the customer had been created and owned `days` days ago (CUS-7 counts from then)."""
    from datetime import timedelta

    from django.utils import timezone

    then = timezone.now() - timedelta(days=days)
    Customer.objects.filter(pk=customer.pk).update(created_at=then, owned_since=then)
    customer.refresh_from_db()
    return customer


def pooled(customer: Customer) -> Customer:
    """The customer dropped into the pool by the nightly move (CUS-7)."""
    assert services.pool_drop(customer_ids=[customer.pk], reason="测试") == 1
    customer.refresh_from_db()
    return customer

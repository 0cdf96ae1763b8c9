"""The customer pages and endpoints in the permission matrix (kehu/core/tests/test_permission_matrix.py)."""

from functools import partial

from kehu.core.tests.matrix import Route, card, count, customer_ref, person
from kehu.customers.capabilities import EDIT_CUSTOMERS, REASSIGN_CUSTOMERS

EDIT = (EDIT_CUSTOMERS,)
Page = partial(Route, rule="CUS-5")


def version_of_card(made):
    from kehu.customers.models import Customer

    return Customer.objects.get(pk=made["pk"]).version


def version_of_person(made):
    from kehu.customers.models import KeyPerson

    return KeyPerson.objects.get(pk=made["pk"]).version


ROUTES = [
    Page("customers:list", scoped=False),
    Page("customers:export", scoped=False),
    Page("customers:create", scoped=False, needs=EDIT),
    Page("customers:import", scoped=False, needs=EDIT),
    Page("customers:reassign", scoped=False, needs=(REASSIGN_CUSTOMERS,)),
    Page("customers:detail", card),
    Page("customers:print", card),
    Page("customers:edit", card, needs=EDIT),
    Page("customers:person_add", card, needs=EDIT),
    Page("customers:person_edit", person, args=lambda m: [m["customer"], m["pk"]], needs=EDIT),
    # Anyone who sees the card may add a note (service and finance too).
    Page("customers:note_add", card, "post", data={"text": "回访记录"}, ok=302, state=count("customers.CustomerNote")),
    Route("customer-list", method="post", scoped=False, data={"name": "新开发客户", "category": "other"}, needs=EDIT,
          ok=201, state=count("customers.Customer")),
    Route("customer-detail", card),
    Route("customer-detail", card, "patch", data=lambda m: {"version": m["version"], "fax": "021-000"}, needs=EDIT,
          state=version_of_card),
    Route("key-person-detail", person),
    Route("key-person-detail", person, "patch", data=lambda m: {"version": m["version"], "title": "经理"},
          needs=EDIT, state=version_of_person),
    Route("key-person-list", customer_ref, "post", data=lambda m: {"customer": m["customer"], "role": "seller",
                                                                   "name": "新人"},
          needs=EDIT, ok=201, state=count("customers.KeyPerson")),
]

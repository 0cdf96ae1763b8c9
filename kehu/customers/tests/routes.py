"""The customer pages and endpoints in the permission matrix (kehu/core/tests/test_permission_matrix.py)."""

from functools import partial

from kehu.core.tests.matrix import Route, card, count, customer_ref, person
from kehu.customers.capabilities import CLAIM_FROM_POOL, EDIT_CUSTOMERS, REASSIGN_CUSTOMERS, SEE_POOL

EDIT = (EDIT_CUSTOMERS,)
Page = partial(Route, rule="CUS-5")


def version_of_card(made):
    from kehu.customers.models import Customer

    return Customer.objects.get(pk=made["pk"]).version


def version_of_person(made):
    from kehu.customers.models import KeyPerson

    return KeyPerson.objects.get(pk=made["pk"]).version


def in_pool(ctx, side):
    """The Shanghai customer, dropped into the shared pool (CUS-7): no owner, anyone may claim it."""
    from kehu.customers.tests.builders import pooled

    customer = pooled(ctx.customer)
    return {"pk": customer.pk, "teammate": ctx.users["teammate"].pk}


def owner_of(made):
    from kehu.customers.models import Customer

    return Customer.objects.filter(pk=made["pk"]).values_list("owner", "in_pool").first()


def sees_the_teammate(role, side) -> bool:
    """Whether the teammate (Shanghai team 1) is a salesperson of the role's scope: else the
    assignment is refused with a message and changes nothing."""
    return role != "other_director"


Pool = partial(Route, rule="CUS-7", scoped=False, gate=(SEE_POOL,))
CLAIM = (CLAIM_FROM_POOL,)
ASSIGN = (REASSIGN_CUSTOMERS,)

ROUTES = [
    Pool("customers:pool"),
    Pool("customers:pool_export"),
    Pool("customers:pool_claim", in_pool, "post", needs=CLAIM, ok=302, state=owner_of),
    Route("customers:pool_assign", in_pool, "post", rule="CUS-7", scoped=False, needs=ASSIGN, ok=302, args=lambda m: [],
          data=lambda m: {"ids": [m["pk"]], "to_owner": m["teammate"]}, who=sees_the_teammate, not_who=302,
          state=owner_of),
    Pool("pool-list"),
    Pool("pool-detail", in_pool),
    Pool("pool-claim", in_pool, "post", needs=CLAIM, state=owner_of),
    Pool("pool-assign", in_pool, "post", needs=ASSIGN, args=lambda m: [], who=sees_the_teammate, not_who=400,
         data=lambda m: {"customers": [m["pk"]], "to_owner": m["teammate"]}, state=owner_of),
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

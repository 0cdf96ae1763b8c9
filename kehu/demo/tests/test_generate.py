"""The demo data generator: the right numbers, scopes that show what each demo login should
see, derived columns as the services compute them, and no second run over existing data."""

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, F

from kehu.accounts.models import Office, User
from kehu.core.roles import Role
from kehu.customers.models import Customer, KeyPerson
from kehu.customers.selectors import customers_visible_to
from kehu.customers.services import format_code, refresh_derived
from kehu.demo.generate import DEMO_PASSWORD, generate, plan_for

CUSTOMERS = 300


@pytest.fixture
def demo(db):
    return generate(customers=CUSTOMERS, seed=7)


@pytest.mark.rule("PLT-1")
def test_it_creates_the_requested_numbers(demo):
    plan = plan_for(CUSTOMERS)
    assert Customer.objects.count() == demo["customers"] == CUSTOMERS
    assert User.objects.filter(role=Role.SALESPERSON).count() == demo["salespeople"] == plan.salespeople
    assert User.objects.filter(role=Role.DIRECTOR).count() == plan.offices
    assert Office.objects.filter(kind=Office.Kind.OFFICE).count() == plan.offices
    assert KeyPerson.objects.count() == demo["key_people"]
    for username in ("gm", "vp", "admin", "service", "finance", "manager1", "director1", "sales1"):
        assert User.objects.get(username=username).check_password(DEMO_PASSWORD)
    admin = User.objects.get(username="admin")
    assert admin.is_staff and admin.is_superuser


@pytest.mark.rule("PLT-1")
def test_it_sizes_the_sales_force_at_one_salesperson_per_200_customers():
    assert plan_for(2_000).salespeople == 10
    assert plan_for(100_000).salespeople == 500
    assert plan_for(100_000).offices == 25


@pytest.mark.rule("CUS-2")
def test_it_gives_every_customer_at_least_two_key_people(demo):
    counts = Customer.objects.annotate(n=Count("key_people"))
    assert min(c.n for c in counts) >= 2
    assert KeyPerson.objects.count() >= 2.5 * CUSTOMERS


@pytest.mark.rule("CUS-5")
def test_it_files_every_customer_under_its_owners_office(demo):
    mismatched = [c.code for c in Customer.objects.select_related("owner") if c.office_id != c.owner.office_id]
    assert mismatched == []
    assert not Customer.objects.exclude(developed_by=F("owner")).exclude(filled_by=F("owner")).exists()


@pytest.mark.rule("PLT-1")
def test_it_puts_sales1_under_director1_under_manager1(demo):
    sales1, director1, manager1 = (User.objects.get(username=u) for u in ("sales1", "director1", "manager1"))
    assert sales1.office.parent_id == director1.office_id
    assert director1.office.parent_id == manager1.office_id


@pytest.mark.rule("PLT-1")
@pytest.mark.rule("CUS-5")
def test_it_shows_each_salesperson_only_their_own_customers(demo):
    for salesperson in User.objects.filter(role=Role.SALESPERSON):
        visible = customers_visible_to(salesperson)
        assert visible.count() == Customer.objects.filter(owner=salesperson).count()
        assert not visible.exclude(owner=salesperson).exists()


@pytest.mark.rule("PLT-1")
def test_it_shows_the_director_their_office_subtree_and_the_gm_everything(demo):
    director = User.objects.get(username="director1")
    office_ids = set(Office.objects.filter(path__startswith=director.office.path).values_list("pk", flat=True))
    expected = Customer.objects.filter(office_id__in=office_ids)
    assert set(customers_visible_to(director).values_list("pk", flat=True)) == set(expected.values_list("pk", flat=True))
    assert 0 < expected.count() < CUSTOMERS
    assert customers_visible_to(User.objects.get(username="gm")).count() == CUSTOMERS


@pytest.mark.rule("CUS-4")
def test_it_stores_the_derived_columns_refresh_derived_computes(demo):
    sample = Customer.objects.order_by("id")[::15]
    for customer in sample:
        stored = (customer.completeness, customer.search_text, customer.name_key, customer.phone_key, customer.tax_key)
        refresh_derived(customer)  # from the saved card and its current key people
        assert stored == (customer.completeness, customer.search_text, customer.name_key, customer.phone_key,
                          customer.tax_key), customer.code
    assert len(set(Customer.objects.values_list("completeness", flat=True))) > 5  # completeness varies


@pytest.mark.rule("CUS-1")
def test_it_writes_valid_cards(demo):
    """Every sampled card and key person passes the same validation as the forms."""
    checked = 0
    for customer in Customer.objects.order_by("id")[::10]:
        customer.full_clean(validate_unique=False)  # raises ValidationError on a bad card
        checked += 1
    for person in KeyPerson.objects.order_by("id")[::30]:
        person.full_clean(exclude=["customer"])
        checked += 1
    assert checked > 30


@pytest.mark.rule("CUS-8")
def test_it_makes_names_unique_and_codes_sequential(demo):
    codes = list(Customer.objects.order_by("code").values_list("code", flat=True))
    assert codes == [format_code(n) for n in range(1, CUSTOMERS + 1)]
    assert Customer.objects.values("name_key").distinct().count() == CUSTOMERS


@pytest.mark.rule("PLT-1")
def test_it_refuses_to_run_twice_without_reset(db):
    call_command("demo_data", customers=20, verbosity=0)
    with pytest.raises(CommandError):
        call_command("demo_data", customers=20, verbosity=0)
    assert Customer.objects.count() == 20


@pytest.mark.rule("PLT-1")
def test_it_starts_over_with_reset(db):
    call_command("demo_data", customers=20, verbosity=0)
    call_command("demo_data", customers=30, reset=True, verbosity=0)
    assert Customer.objects.count() == 30
    assert Customer.objects.order_by("code").first().code == format_code(1)
    assert User.objects.filter(username="sales1").count() == 1


@pytest.mark.rule("PLT-1")
def test_it_gives_the_same_data_for_the_same_seed(db):
    generate(customers=30, seed=11)
    first = list(Customer.objects.order_by("code").values_list("name", "phone", "grade"))
    call_command("demo_data", customers=30, seed=11, reset=True, verbosity=0)
    assert list(Customer.objects.order_by("code").values_list("name", "phone", "grade")) == first

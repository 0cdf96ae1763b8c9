"""Every write to a customer card (kehu/customers/services.py)."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from conftest import rule
from kehu.core.errors import PermissionDeniedError, StaleEdit, ValidationFailed
from kehu.customers import selectors, services
from kehu.customers.filters import CustomerFilter
from kehu.customers.models import Customer, CustomerEvent, CustomerNote, KeyPerson, Reassignment
from kehu.customers.services import DuplicateFound
from kehu.customers.tests.builders import new_customer, new_key_person

pytestmark = pytest.mark.usefixtures("in_english")


def snapshot():
    """Everything a customer service may write, to prove that a refusal changed nothing."""
    return {
        "customers": sorted(Customer.objects.values_list("id", "code", "name", "owner_id", "office_id", "version",
                                                         "phone", "postcode", "tax_no", "completeness")),
        "history": Customer.history.count(),
        "people": sorted(KeyPerson.objects.values_list("id", "name", "role", "is_current", "version")),
        "people_history": KeyPerson.history.count(),
        "events": CustomerEvent.objects.count(),
        "reassignments": Reassignment.objects.count(),
        "notes": CustomerNote.objects.count(),
    }


# --- CUS-1: create -------------------------------------------------------------------------

@rule("CUS-1")
def test_it_gives_new_customers_sequential_codes(users):
    first = new_customer(by=users["owner"], name="甲商行一号")
    second = new_customer(by=users["owner"], name="乙百货")
    third = new_customer(by=users["teammate"], name="丙批发部门市")
    assert [first.code, second.code, third.code] == ["KH000001", "KH000002", "KH000003"]


@rule("CUS-1")
def test_it_makes_the_creator_the_owner_in_their_office_and_records_who_filled_the_card(users, offices):
    before = timezone.now()
    customer = new_customer(by=users["owner"], name="上海恒丰商贸有限公司", phone="021-5555 0101")
    customer.refresh_from_db()
    assert customer.owner == users["owner"]
    assert customer.office == offices["team"]
    assert customer.filled_by == users["owner"]
    assert before <= customer.filled_at <= timezone.now()
    assert customer.version == 1
    assert customer.name_key == "上海恒丰商贸"
    assert customer.phone_key == "02155550101"
    assert customer.completeness == 11  # name, phone, category, grade: 4 of 36
    record = customer.history.get()
    assert (record.history_type, record.history_user) == ("+", users["owner"])


@rule("CUS-1")
def test_it_lets_a_director_create_a_customer_for_a_salesperson_of_the_office(users, offices):
    customer = services.customer_create(by=users["director"], data={"name": "新华超市", "category": "agent"},
                                        owner=users["teammate"])
    assert (customer.owner, customer.office, customer.filled_by) == (users["teammate"], offices["team"],
                                                                    users["director"])


@rule("CUS-1")
def test_it_refuses_an_owner_outside_the_creators_scope(users):
    before = snapshot()
    with pytest.raises(ValidationFailed) as exc:
        services.customer_create(by=users["director"], data={"name": "新华超市", "category": "agent"},
                                 owner=users["outsider"])
    assert exc.value.field_errors == {"owner": ["Choose a salesperson in your scope."]}
    assert snapshot() == before


@rule("CUS-1")
@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"postcode": "20012"}, "postcode", "A postcode has six digits."),
        ({"postcode": "２０01２a"}, "postcode", "A postcode has six digits."),
        ({"founded_on": timezone.localdate() + datetime.timedelta(days=1)}, "founded_on", "This date is in the future."),
        ({"product_lines": "饮料 70%; 零食 40%"}, "product_lines", "The shares add up to 110%; they can be at most 100%."),
        ({"transport_modes": ["air"]}, "transport_modes", "Choose transport modes from the list."),
        ({"phone": "call me maybe"}, "phone",
         "Enter a phone number: digits, spaces, + ( ) - or 转 for an extension."),
        ({"category": "emperor"}, "category", "Value 'emperor' is not a valid choice."),
        ({"name": ""}, "name", "This field cannot be blank."),
    ],
)
def test_it_refuses_an_invalid_card_and_creates_nothing(users, data, field, message):
    before = snapshot()
    payload = {"name": "新华超市", "category": "agent", **data}
    with pytest.raises(ValidationFailed) as exc:
        services.customer_create(by=users["owner"], data=payload)
    assert exc.value.field_errors[field] == [message]
    assert snapshot() == before
    # the refused attempt did not use up a code
    assert new_customer(by=users["owner"], name="另一家").code == "KH000001"


@rule("CUS-1")
@pytest.mark.parametrize("role", ["service", "finance"])
def test_it_refuses_card_creation_by_read_only_roles(users, role):
    before = snapshot()
    with pytest.raises(PermissionDeniedError):
        new_customer(by=users[role], name="新华超市")
    assert snapshot() == before


# --- CUS-8: duplicates ---------------------------------------------------------------------

@rule("CUS-8")
@pytest.mark.parametrize(
    "data",
    [
        {"name": "上海恒丰商贸"},
        {"name": "上海 恒丰商贸股份有限公司"},
        {"name": "上海恒丰商贸有限公司"},
        {"name": "上海恒丰商贸（集团）公司"},
        {"name": "新名字", "phone": "(021) 55550101"},
        {"name": "新名字", "phone": "021 5555-0101"},
    ],
)
def test_it_flags_a_card_like_an_existing_one_as_a_duplicate(users, customer, data):
    before = snapshot()
    with pytest.raises(DuplicateFound) as exc:
        new_customer(by=users["teammate"], **data)
    assert exc.value.candidates == [customer]
    assert exc.value.code == "duplicate"
    assert exc.value.status == 409
    # CUS-8: the card is outside the teammate's scope (a salesperson sees their own): the
    # message says who owns it and where, not its code.
    assert (exc.value.seen[0].pk, exc.value.seen[0].owner_name) == (None, "张伟")
    assert str(exc.value.seen[0]) in exc.value.message and "KH000001" not in exc.value.message
    assert snapshot() == before


@rule("CUS-8")
def test_it_flags_a_duplicate_tax_number_in_another_office(users):
    existing = new_customer(by=users["outsider"], name="杭州甲公司", tax_no="91330100 MA27XXXX1A")
    with pytest.raises(DuplicateFound) as exc:
        new_customer(by=users["owner"], name="完全不同的名字", tax_no="９１３３０１００ma27xxxx1a")
    assert exc.value.candidates == [existing]
    assert Customer.objects.count() == 1


@rule("CUS-8")
def test_it_lists_every_similar_customer_as_a_candidate(users, customer):
    by_phone = new_customer(by=users["owner"], name="浦东某店", phone="021-66660202")
    with pytest.raises(DuplicateFound) as exc:
        new_customer(by=users["owner"], name="上海恒丰商贸", phone="02166660202")
    assert exc.value.candidates == [customer, by_phone]


@rule("CUS-8")
def test_it_keeps_both_when_told_and_records_the_decision(users, customer):
    kept = services.customer_create(by=users["teammate"], data={"name": "上海恒丰商贸", "category": "agent"},
                                    on_duplicate="keep_both")
    assert kept.pk != customer.pk
    assert kept.code == "KH000002"
    assert Customer.objects.count() == 2
    event = CustomerEvent.objects.get()
    assert (event.customer, event.kind, event.by, event.message) == (
        kept, CustomerEvent.Kind.DUPLICATE_KEPT, users["teammate"], "Kept although similar to KH000001")


@rule("CUS-8")
def test_it_merges_by_filling_only_the_blanks_of_the_target(users, customer):
    merged = services.customer_create(
        by=users["owner"],
        data={"name": "上海恒丰商贸", "category": "agent", "phone": "021-9999 9999", "postcode": "201203",
              "tax_no": "91310115MA1FL2XX3X", "address": "", "employee_count": 12},
        on_duplicate="merge", merge_into=customer,
    )
    assert merged.pk == customer.pk
    assert Customer.objects.count() == 1
    merged.refresh_from_db()
    # filled: the blanks
    assert (merged.postcode, merged.tax_no, merged.employee_count) == ("201203", "91310115MA1FL2XX3X", 12)
    assert merged.tax_key == "91310115MA1FL2XX3X"
    # kept: everything that was filled before
    assert (merged.name, merged.category, merged.phone, merged.address) == (
        "上海恒丰商贸有限公司", "wholesaler_1", "021-5555 0101", "上海市浦东新区张江路1号")
    assert merged.code == "KH000001"
    assert merged.version == 2
    event = CustomerEvent.objects.get()
    assert (event.kind, event.by) == (CustomerEvent.Kind.MERGED, users["owner"])
    assert event.message == "Duplicate merged; filled: postcode、tax no. 税号、employees"
    assert merged.history.first().history_user == users["owner"]


@rule("CUS-8")
def test_it_refuses_to_merge_into_a_customer_that_is_not_one_of_the_candidates(users, customer):
    other = new_customer(by=users["owner"], name="完全无关的商店")
    before = snapshot()
    with pytest.raises(ValidationFailed):
        services.customer_create(by=users["owner"], data={"name": "上海恒丰商贸", "category": "agent"},
                                 on_duplicate="merge", merge_into=other)
    assert snapshot() == before


@rule("CUS-8")
def test_it_refuses_to_merge_into_a_customer_outside_the_users_scope(users, customer):
    before = snapshot()
    with pytest.raises(PermissionDeniedError):
        services.customer_create(by=users["outsider"],
                                 data={"name": "上海恒丰商贸", "category": "agent", "postcode": "310000"},
                                 on_duplicate="merge", merge_into=customer)
    assert snapshot() == before
    customer.refresh_from_db()
    assert customer.postcode == ""


# --- CUS-3: update with optimistic locking --------------------------------------------------

@rule("CUS-3")
def test_it_refuses_an_update_from_a_stale_copy_and_changes_nothing(users, customer):
    services.customer_update(by=users["owner"], customer=customer, version=1,
                             data={"postcode": "201203"})
    before = snapshot()
    with pytest.raises(StaleEdit) as exc:
        services.customer_update(by=users["director"], customer=customer, version=1, data={"grade": "B"})
    assert exc.value.status == 409
    assert exc.value.message == ("上海恒丰商贸有限公司 was changed by someone else since you opened it. "
                                 "Reload to see their changes; your edit was not saved.")
    assert snapshot() == before
    customer.refresh_from_db()
    assert (customer.grade, customer.postcode, customer.version) == ("C", "201203", 2)


@rule("CUS-3")
def test_it_bumps_the_version_and_records_who_changed_what(users, customer):
    updated = services.customer_update(by=users["director"], customer=customer, version=1,
                                       data={"grade": "A", "postcode": "201203", "code": "HACKED",
                                             "owner": users["outsider"], "completeness": 100})
    updated.refresh_from_db()
    assert (updated.grade, updated.postcode, updated.version) == ("A", "201203", 2)
    # system fields are not editable through update
    assert (updated.code, updated.owner) == ("KH000001", users["owner"])
    assert updated.completeness == 17  # 6 of 36
    record = updated.history.first()
    assert (record.history_type, record.history_user, record.grade, record.version) == ("~", users["director"], "A", 2)
    entry = selectors.customer_history(updated)[0]
    assert sorted((c["field"], c["old"], c["new"]) for c in entry["changes"]) == [
        ("grade 等级", "C", "A"), ("postcode", "", "201203")]


@rule("CUS-3")
def test_it_refuses_an_invalid_update_and_changes_nothing(users, customer):
    before = snapshot()
    with pytest.raises(ValidationFailed) as exc:
        services.customer_update(by=users["owner"], customer=customer, version=1,
                                 data={"status": "active", "postcode": "12"})
    assert exc.value.field_errors == {"postcode": ["A postcode has six digits."]}
    assert snapshot() == before


@rule("CUS-3")
@pytest.mark.parametrize("role", ["service", "finance"])
def test_it_refuses_updates_by_read_only_roles(users, customer, role):
    before = snapshot()
    with pytest.raises(PermissionDeniedError):
        services.customer_update(by=users[role], customer=customer, version=1, data={"grade": "A"})
    assert snapshot() == before


# --- CUS-2: key people ---------------------------------------------------------------------

@rule("CUS-2")
def test_it_adds_key_people_and_updates_completeness_and_search(users, customer):
    person = new_key_person(by=users["owner"], customer=customer, role="in_charge", name="陈建国",
                            phone="138 0013 8000", gender="m", birth_date=datetime.date(1970, 5, 1), title="总经理")
    assert (person.customer, person.is_current, person.version) == (customer, True, 1)
    customer.refresh_from_db()
    assert customer.completeness == 17  # name, address, phone, category, grade + person in charge: 6 of 36
    assert "陈建国" in customer.search_text
    new_key_person(by=users["owner"], customer=customer, role="buyer", name="赵敏")
    customer.refresh_from_db()
    assert customer.completeness == 19
    assert CustomerEvent.objects.count() == 0  # first buyer and first person in charge: no change to report
    found = CustomerFilter({"q": "陈建国"}, queryset=selectors.customers_visible_to(users["owner"])).qs
    assert list(found) == [customer]
    assert list(CustomerFilter({"q": "13800138000"}, queryset=Customer.objects.all()).qs) == [customer]
    assert person.history.get().history_user == users["owner"]


@rule("CUS-2")
def test_it_refuses_an_invalid_key_person_and_changes_nothing(users, customer):
    before = snapshot()
    with pytest.raises(ValidationFailed) as exc:
        new_key_person(by=users["owner"], customer=customer, role="boss", name="陈建国")
    assert list(exc.value.field_errors) == ["role"]
    with pytest.raises(ValidationFailed):
        new_key_person(by=users["owner"], customer=customer, role="buyer", name="")
    assert snapshot() == before


@rule("CUS-2")
def test_it_records_an_event_when_a_new_buyer_replaces_one(users, customer):
    new_key_person(by=users["owner"], customer=customer, role="buyer", name="赵敏")
    new_key_person(by=users["owner"], customer=customer, role="seller", name="孙丽")
    new_key_person(by=users["owner"], customer=customer, role="seller", name="周杰")  # sellers are not watched
    assert CustomerEvent.objects.count() == 0
    new_key_person(by=users["owner"], customer=customer, role="buyer", name="钱多多")
    event = CustomerEvent.objects.get()
    assert (event.customer, event.kind, event.by, event.message) == (
        customer, CustomerEvent.Kind.KEY_PERSON_CHANGED, users["owner"], "New Buyer 采购人: 钱多多")


@rule("CUS-2")
def test_it_ends_a_key_person_keeping_the_record_and_reports_a_leaving_buyer(users, customer):
    buyer = new_key_person(by=users["owner"], customer=customer, role="buyer", name="赵敏")
    ended = services.key_person_end(by=users["owner"], person=buyer, version=1, left_on=datetime.date(2026, 1, 15))
    ended.refresh_from_db()
    assert (ended.is_current, ended.left_on, ended.version) == (False, datetime.date(2026, 1, 15), 2)
    assert KeyPerson.objects.filter(pk=buyer.pk).exists()
    assert [h.is_current for h in ended.history.order_by("history_id")] == [True, False]
    event = CustomerEvent.objects.get()
    assert (event.kind, event.message) == (CustomerEvent.Kind.KEY_PERSON_CHANGED,
                                           "Buyer 采购人 赵敏 left on 2026-01-15")
    customer.refresh_from_db()
    assert "赵敏" not in customer.search_text
    assert customer.completeness == 14


@rule("CUS-2")
def test_it_refuses_to_end_a_key_person_twice_or_in_the_future(users, customer):
    buyer = new_key_person(by=users["owner"], customer=customer, role="buyer", name="赵敏")
    before = snapshot()
    with pytest.raises(ValidationFailed):
        services.key_person_end(by=users["owner"], person=buyer, version=1,
                                left_on=timezone.localdate() + datetime.timedelta(days=3))
    assert snapshot() == before
    services.key_person_end(by=users["owner"], person=buyer, version=1)
    before = snapshot()
    with pytest.raises(ValidationFailed):
        services.key_person_end(by=users["owner"], person=buyer, version=2)
    assert snapshot() == before


@rule("CUS-2")
def test_it_updates_a_key_person_with_locking_and_reports_a_role_change(users, customer):
    person = new_key_person(by=users["owner"], customer=customer, role="influencer", name="陈建国")
    updated = services.key_person_update(by=users["owner"], person=person, version=1,
                                         data={"title": "采购经理", "role": "buyer"})
    assert (updated.title, updated.role, updated.version) == ("采购经理", "buyer", 2)
    event = CustomerEvent.objects.get()
    assert event.message == "陈建国 is now Buyer 采购人"
    before = snapshot()
    with pytest.raises(StaleEdit):
        services.key_person_update(by=users["owner"], person=person, version=1, data={"title": "经理"})
    assert snapshot() == before
    assert [h.title for h in KeyPerson.history.filter(id=person.pk).order_by("history_id")] == ["", "采购经理"]


@rule("CUS-2")
@pytest.mark.parametrize("role", ["service", "finance"])
def test_it_refuses_key_person_changes_by_read_only_roles(users, customer, role):
    person = new_key_person(by=users["owner"], customer=customer, role="buyer", name="赵敏")
    before = snapshot()
    with pytest.raises(PermissionDeniedError):
        new_key_person(by=users[role], customer=customer, role="seller", name="孙丽")
    with pytest.raises(PermissionDeniedError):
        services.key_person_update(by=users[role], person=person, version=1, data={"title": "x"})
    with pytest.raises(PermissionDeniedError):
        services.key_person_end(by=users[role], person=person, version=1)
    assert snapshot() == before


# --- CUS-5: reassignment -------------------------------------------------------------------

@rule("CUS-5")
def test_it_lets_a_director_reassign_customers_of_the_office_and_logs_each(users, offices, customer):
    second = new_customer(by=users["owner"], name="浦东第二家")
    batch = services.customers_reassign(by=users["director"], customer_ids=[customer.pk, str(second.pk)],
                                        to_owner=users["teammate"], reason="张伟休产假")
    logs = list(Reassignment.objects.order_by("customer_id").values_list(
        "batch", "customer_id", "from_owner_id", "to_owner_id", "by_id", "reason"))
    assert logs == [
        (batch, customer.pk, users["owner"].pk, users["teammate"].pk, users["director"].pk, "张伟休产假"),
        (batch, second.pk, users["owner"].pk, users["teammate"].pk, users["director"].pk, "张伟休产假"),
    ]
    customer.refresh_from_db()
    assert (customer.owner, customer.office, customer.version) == (users["teammate"], offices["team"], 2)
    record = customer.history.first()
    assert (record.owner_id, record.history_user, record.history_change_reason) == (
        users["teammate"].pk, users["director"], "张伟休产假")
    # the successor sees the customer and its whole history
    assert list(selectors.customers_visible_to(users["teammate"]).order_by("pk")) == [customer, second]
    assert customer.history.count() == 2


@rule("CUS-5")
def test_it_moves_the_customer_to_the_new_owners_office(users, offices, customer):
    services.customers_reassign(by=users["manager"], customer_ids=[customer.pk], to_owner=users["outsider"],
                                reason="调往杭州")
    customer.refresh_from_db()
    assert (customer.owner, customer.office) == (users["outsider"], offices["hangzhou"])
    assert list(selectors.customers_visible_to(users["other_director"])) == [customer]
    assert list(selectors.customers_visible_to(users["director"])) == []


@rule("CUS-5")
def test_it_reassigns_all_or_nothing(users, customer, outsider_customer):
    before = snapshot()
    with pytest.raises(ValidationFailed) as exc:
        services.customers_reassign(by=users["director"], customer_ids=[customer.pk, outsider_customer.pk],
                                    to_owner=users["teammate"], reason="离职")
    assert exc.value.message == "1 of the selected customers are not in your scope; nothing was reassigned."
    assert snapshot() == before


@rule("CUS-5")
@pytest.mark.parametrize("role", ["owner", "teammate", "service", "finance"])
def test_it_lets_only_managers_reassign(users, customer, role):
    before = snapshot()
    with pytest.raises(PermissionDeniedError):
        services.customers_reassign(by=users[role], customer_ids=[customer.pk], to_owner=users["teammate"],
                                    reason="离职")
    assert snapshot() == before


@rule("CUS-5")
def test_it_requires_a_successor_in_scope(users, customer):
    before = snapshot()
    with pytest.raises(ValidationFailed) as exc:
        services.customers_reassign(by=users["director"], customer_ids=[customer.pk], to_owner=users["outsider"],
                                    reason="离职")
    assert exc.value.field_errors == {"to_owner": ["Choose a salesperson in your scope."]}
    for successor in (users["finance"], None):
        with pytest.raises(ValidationFailed):
            services.customers_reassign(by=users["gm"], customer_ids=[customer.pk], to_owner=successor, reason="离职")
    inactive = users["teammate"]
    inactive.is_active = False
    inactive.save()
    with pytest.raises(ValidationFailed):
        services.customers_reassign(by=users["director"], customer_ids=[customer.pk], to_owner=inactive, reason="离职")
    assert snapshot() == before


@rule("CUS-5")
@pytest.mark.parametrize("reason", ["", "   ", None])
def test_it_requires_a_reason(users, customer, reason):
    before = snapshot()
    with pytest.raises(ValidationFailed) as exc:
        services.customers_reassign(by=users["director"], customer_ids=[customer.pk], to_owner=users["teammate"],
                                    reason=reason)
    assert exc.value.field_errors == {"reason": ["Required."]}
    assert snapshot() == before


@rule("CUS-5")
def test_it_requires_at_least_one_customer(users):
    with pytest.raises(ValidationFailed):
        services.customers_reassign(by=users["director"], customer_ids=[], to_owner=users["teammate"], reason="离职")
    assert Reassignment.objects.count() == 0


@rule("CUS-5")
def test_it_does_not_log_customers_that_already_belong_to_the_successor(users, customer):
    services.customers_reassign(by=users["director"], customer_ids=[customer.pk], to_owner=users["owner"],
                                reason="确认")
    assert Reassignment.objects.count() == 0
    customer.refresh_from_db()
    assert customer.version == 1


# --- CUS-6: private notes ------------------------------------------------------------------

@pytest.fixture
def notes(users, customer):
    public = services.note_add(by=users["owner"], customer=customer, text="每月10号对账")
    private = services.note_add(by=users["owner"], customer=customer, text="老板说明年要换供应商，请保密", is_private=True)
    return public, private


@rule("CUS-6")
@pytest.mark.parametrize("role", ["owner", "director", "manager", "vp", "gm"])
def test_it_shows_private_notes_up_the_owners_chain_of_command(users, customer, notes, role):
    public, private = notes
    assert list(selectors.notes_visible_to(user=users[role], customer=customer)) == [private, public]


@rule("CUS-6")
@pytest.mark.parametrize("role", ["teammate", "outsider", "other_director", "service", "finance", "admin"])
def test_it_hides_private_notes_from_everyone_else(users, customer, notes, role):
    public, _private = notes
    assert list(selectors.notes_visible_to(user=users[role], customer=customer)) == [public]


@rule("CUS-6")
def test_it_follows_the_new_owners_chain_after_a_reassignment(users, customer, notes):
    public, private = notes
    services.customers_reassign(by=users["manager"], customer_ids=[customer.pk], to_owner=users["outsider"],
                                reason="调往杭州")
    customer.refresh_from_db()
    assert list(selectors.notes_visible_to(user=users["other_director"], customer=customer)) == [private, public]
    assert list(selectors.notes_visible_to(user=users["director"], customer=customer)) == [public]


@rule("CUS-6")
@pytest.mark.parametrize("text", ["", "   ", "字" * 5001])
def test_it_refuses_an_empty_or_overlong_note(users, customer, text):
    before = snapshot()
    with pytest.raises(ValidationFailed):
        services.note_add(by=users["owner"], customer=customer, text=text, is_private=True)
    assert snapshot() == before


@rule("CUS-6")
def test_it_stores_a_note_trimmed_with_its_author(users, customer):
    note = services.note_add(by=users["owner"], customer=customer, text="  要求送货上门  ", is_private=True)
    note.refresh_from_db()
    assert (note.text, note.author, note.is_private, note.customer) == ("要求送货上门", users["owner"], True, customer)


@rule("CUS-1")
def test_it_stores_money_and_areas_exactly(users):
    customer = new_customer(by=users["owner"], name="精确商行一", registered_capital=Decimal("1234567.89"),
                            shop_area=Decimal("88.5"), transport_modes=["rail", "road"])
    customer.refresh_from_db()
    assert (customer.registered_capital, customer.shop_area, customer.transport_modes) == (
        Decimal("1234567.89"), Decimal("88.5"), ["rail", "road"])


@rule("CUS-5")
@pytest.mark.parametrize("ids", [["abc"], [None], ["1.5"]])
def test_it_refuses_a_selection_that_is_not_customer_ids(users, customer, ids):
    before = snapshot()
    with pytest.raises(ValidationFailed) as exc:
        services.customers_reassign(by=users["director"], customer_ids=ids, to_owner=users["teammate"], reason="离职")
    assert exc.value.message == "The selection is not valid; nothing was reassigned."
    assert snapshot() == before


@rule("CUS-1")
def test_it_accepts_full_width_digits_in_phone_and_postcode(users):
    customer = services.customer_create(
        by=users["owner"],
        data={"name": "全角电话测试商行", "category": "other", "phone": "０２１－６６６６ ８８８８", "postcode": "２００１２０"},
    )
    assert customer.phone == "021-6666 8888"
    assert customer.postcode == "200120"

"""REL-3: family occasions 家庭纪念日 of contacts — a spouse's or child's birthday, a wedding
anniversary, a child's wedding or university entrance — recorded for a key person from the
360° page or the API, reminded with the greetings the configured days before, once per
occasion and year, and put on the daily plan."""

from datetime import date, timedelta

import pytest
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from conftest import rule
from kehu.core.errors import ValidationFailed
from kehu.customers.tests.builders import new_key_person
from kehu.relations import services
from kehu.relations.greetings import occasions
from kehu.relations.models import CadencePolicy, FamilyOccasion
from kehu.reminders.models import Reminder

pytestmark = pytest.mark.django_db


@pytest.fixture
def boss(users, customer):
    return new_key_person(by=users["owner"], customer=customer, role="in_charge", name="王老板")


def add(users, person, **values):
    values = {"kind": "child_birthday", "whose": "王小明", "on": date(2015, 3, 10), "yearly": True} | values
    return services.family_occasion_add(by=users["owner"], key_person=person, **values)


def family(user, today, days=7):
    return [(o.on, o.key) for o in occasions(user=user, today=today, days_before=days) if o.kind == "family"]


def days_before(days: int) -> None:
    policy = CadencePolicy.current()
    policy.greeting_days_before = days
    policy.save()


@rule("REL-3")
def test_a_yearly_family_occasion_is_reminded_the_set_days_before_once(users, boss):
    occasion = add(users, boss)
    days_before(5)
    services.greetings_send(today=date(2027, 3, 4))  # six days before: not yet
    assert not Reminder.objects.filter(dedupe_key__startswith="greeting:family").exists()
    services.greetings_send(today=date(2027, 3, 5))
    services.greetings_send(today=date(2027, 3, 5))  # a restart: the same run again
    services.greetings_send(today=date(2027, 3, 6))  # the next morning, still ahead
    reminders = Reminder.objects.filter(recipient=users["owner"], dedupe_key__startswith="greeting:family")
    assert [r.dedupe_key for r in reminders] == [f"greeting:family:{occasion.pk}:2027"]
    assert "王小明" in reminders[0].title and "王老板" in reminders[0].title
    assert "Child's birthday" in reminders[0].title and "2027-03-10" in reminders[0].title
    assert not Reminder.objects.filter(recipient=users["teammate"], dedupe_key__startswith="greeting:family").exists()
    services.greetings_send(today=date(2028, 3, 8))  # the next year: reminded again
    assert Reminder.objects.filter(recipient=users["owner"], dedupe_key__startswith="greeting:family").count() == 2


@rule("REL-3")
def test_the_configured_days_before_decide_when_the_reminder_comes(users, boss):
    add(users, boss, on=date(2010, 3, 10))
    days_before(3)
    services.greetings_send(today=date(2027, 3, 6))  # four days before: not within three
    assert not Reminder.objects.filter(dedupe_key__startswith="greeting:family").exists()
    days_before(10)
    services.greetings_send(today=date(2027, 3, 1))  # nine days before: within ten
    assert Reminder.objects.filter(dedupe_key__startswith="greeting:family").count() == 1


@rule("REL-3")
def test_family_occasions_cross_the_month_and_the_year_end(users, boss):
    may = add(users, boss, kind="wedding_anniversary", whose="", on=date(2001, 5, 2))
    january = add(users, boss, kind="spouse_birthday", whose="李女士", on=date(1978, 1, 2))
    assert family(users["owner"], date(2027, 4, 29)) == [(date(2027, 5, 2), f"family:{may.pk}:2027")]
    assert family(users["owner"], date(2027, 12, 31)) == [(date(2028, 1, 2), f"family:{january.pk}:2028")]
    assert family(users["owner"], date(2027, 12, 31), days=1) == []


@rule("REL-3")
def test_a_family_occasion_on_29_february_is_kept_on_28_february_in_a_common_year(users, boss):
    leap = add(users, boss, kind="parent_birthday", whose="王老太太", on=date(1948, 2, 29))
    assert family(users["owner"], date(2027, 2, 25)) == [(date(2027, 2, 28), f"family:{leap.pk}:2027")]
    assert family(users["owner"], date(2028, 2, 25)) == [(date(2028, 2, 29), f"family:{leap.pk}:2028")]


@rule("REL-3")
def test_a_one_off_occasion_is_reminded_only_in_its_year(users, boss):
    day = date(timezone.localdate().year + 1, 7, 1)
    once = add(users, boss, kind="child_entrance", on=day, yearly=False, note="考上复旦大学")
    assert family(users["owner"], day - timedelta(days=3)) == [(day, f"family:{once.pk}:{day.year}")]
    assert family(users["owner"], day.replace(year=day.year + 1) - timedelta(days=3)) == []
    assert family(users["owner"], day + timedelta(days=1)) == []


@rule("REL-3")
def test_occasions_of_a_key_person_who_left_or_a_yearly_one_not_begun_are_not_reminded(users, boss):
    from kehu.customers import services as customers

    later = add(users, boss, on=date(timezone.localdate().year + 2, 3, 10))
    assert family(users["owner"], date(timezone.localdate().year + 1, 3, 8)) == []
    assert family(users["owner"], later.on - timedelta(days=2)) == [(later.on, f"family:{later.pk}:{later.on.year}")]
    boss.refresh_from_db()
    customers.key_person_end(by=users["owner"], person=boss, version=boss.version)
    assert family(users["owner"], later.on - timedelta(days=2)) == []


@rule("REL-3")
@rule("REL-4")
def test_family_occasions_reach_the_daily_plan(users, boss):
    from kehu.core.registry import registry

    occasion = add(users, boss)
    plan = dict(registry.due_for(users["owner"], date(2027, 3, 8)))
    greetings = next(items for source, items in plan.items() if source.key == "greetings")
    assert f"family:{occasion.pk}:2027" in [item.key for item in greetings]


@rule("REL-3")
def test_bad_input_is_refused_with_a_clear_message_and_nothing_kept(users, boss, outsider_customer):
    past = timezone.localdate() - timedelta(days=1)
    cases = [
        ({"on": None}, "Enter the date of the occasion."),
        ({"on": "2027-13-01"}, "The date of the occasion is not a date (YYYY-MM-DD)."),
        ({"kind": "birthday"}, "Choose the kind of family occasion."),
        ({"on": past, "yearly": False}, f"The one-off occasion on {past.isoformat()} has passed"),
        ({"kind": "other", "note": ""}, "Say in the note what the occasion is."),
        ({"on": date(1850, 1, 1)}, "1850-01-01 is not a likely day for a family occasion"),
        ({"whose": "名" * 51}, "50"),
    ]
    for values, message in cases:
        with pytest.raises(ValidationFailed) as refused:
            add(users, boss, **values)
        assert message in str(refused.value.message), values
    assert not FamilyOccasion.objects.exists()


@rule("REL-3")
def test_the_key_people_tab_adds_edits_and_deletes_with_confirmation(users, customer, boss, en):
    owner = en(users["owner"])
    page = owner.get(reverse("relations:family_create", args=[customer.pk]) + f"?person={boss.pk}")
    assert page.status_code == 200 and "王老板" in page.content.decode()
    refused = owner.post(reverse("relations:family_create", args=[customer.pk]),
                         {"key_person": boss.pk, "kind": "child_birthday", "on": "", "yearly": "on"})
    assert refused.status_code == 200 and "Enter the date of the occasion." in refused.content.decode()
    past = (timezone.localdate() - timedelta(days=3)).isoformat()
    refused = owner.post(reverse("relations:family_create", args=[customer.pk]),
                         {"key_person": boss.pk, "kind": "child_wedding", "on": past})
    assert "has passed" in refused.content.decode()
    assert not FamilyOccasion.objects.exists()
    saved = owner.post(reverse("relations:family_create", args=[customer.pk]),
                       {"key_person": boss.pk, "kind": "child_birthday", "whose": "王小明", "on": "2015-03-10",
                        "yearly": "on"})
    assert saved.status_code == 302 and saved.url.endswith("?tab=people")
    occasion = FamilyOccasion.objects.get()
    assert (occasion.key_person, occasion.created_by, occasion.yearly) == (boss, users["owner"], True)
    panel = owner.get(reverse("panel", args=["customer", "family-occasions", customer.pk]))
    assert "王小明" in panel.content.decode() and reverse("relations:family_edit", args=[occasion.pk]) in \
        panel.content.decode()
    edited = owner.post(reverse("relations:family_edit", args=[occasion.pk]),
                        {"kind": "child_graduation", "whose": "王小明", "on": "2015-06-30", "yearly": ""})
    assert edited.status_code == 200 and "has passed" in edited.content.decode()  # one-off now, in the past
    edited = owner.post(reverse("relations:family_edit", args=[occasion.pk]),
                        {"kind": "spouse_birthday", "whose": "李女士", "on": "1980-08-08", "yearly": "on"})
    assert edited.status_code == 302
    occasion.refresh_from_db()
    assert (occasion.kind, occasion.whose, occasion.on) == ("spouse_birthday", "李女士", date(1980, 8, 8))
    confirm = owner.get(reverse("relations:family_delete", args=[occasion.pk]))
    assert confirm.status_code == 200 and "Delete" in confirm.content.decode()
    assert FamilyOccasion.objects.exists()  # asking is not deleting
    assert owner.post(reverse("relations:family_delete", args=[occasion.pk])).status_code == 302
    assert not FamilyOccasion.objects.exists()
    assert FamilyOccasion.history.filter(history_type="-", history_user=users["owner"]).exists()


@rule("REL-3")
def test_the_occasions_of_another_salespersons_customer_are_not_found(users, customer, boss, client_for):
    occasion = add(users, boss)
    outsider = client_for(users["outsider"])
    assert outsider.get(reverse("relations:family_create", args=[customer.pk])).status_code == 404
    assert outsider.get(reverse("relations:family_edit", args=[occasion.pk])).status_code == 404
    assert outsider.post(reverse("relations:family_delete", args=[occasion.pk])).status_code == 404
    assert outsider.get(f"/api/v1/family-occasions/{occasion.pk}/").status_code == 404
    assert outsider.get("/api/v1/family-occasions/").json()["results"] == []
    with pytest.raises(Http404):
        services.family_occasion_add(by=users["outsider"], key_person=boss, kind="child_birthday", on="2015-03-10")
    assert client_for(users["service"]).post(reverse("relations:family_delete", args=[occasion.pk])).status_code == 403
    assert FamilyOccasion.objects.count() == 1


@rule("REL-3")
def test_the_api_lists_records_corrects_and_removes(users, customer, boss, client_for):
    owner = client_for(users["owner"])
    made = owner.post("/api/v1/family-occasions/", {"key_person": boss.pk, "kind": "wedding_anniversary",
                                                     "on": "2001-05-02"}, content_type="application/json")
    assert made.status_code == 201, made.content
    pk = made.json()["id"]
    assert (made.json()["customer"], made.json()["key_person_name"], made.json()["yearly"]) == (
        customer.pk, "王老板", True)
    bad = owner.post("/api/v1/family-occasions/", {"key_person": boss.pk, "kind": "other", "on": "2001-05-02"},
                     content_type="application/json")
    assert (bad.status_code, bad.json()["detail"], list(bad.json()["errors"])) == (
        400, "Say in the note what the occasion is.", ["note"])
    assert owner.post("/api/v1/family-occasions/", {"key_person": boss.pk, "kind": "nope", "on": ""},
                      content_type="application/json").status_code == 400
    listed = owner.get("/api/v1/family-occasions/", {"customer_id": customer.pk, "kind": "wedding_anniversary"})
    assert [row["id"] for row in listed.json()["results"]] == [pk]
    changed = owner.patch(f"/api/v1/family-occasions/{pk}/", {"whose": "李女士"}, content_type="application/json")
    assert changed.status_code == 200 and changed.json()["whose"] == "李女士"
    assert changed.json()["on"] == "2001-05-02" and changed.json()["kind"] == "wedding_anniversary"
    assert owner.patch(f"/api/v1/family-occasions/{pk}/", {"yearly": False},
                       content_type="application/json").status_code == 400  # one-off in the past
    assert owner.delete(f"/api/v1/family-occasions/{pk}/").status_code == 204
    assert not FamilyOccasion.objects.exists()


@rule("REL-3")
@rule("PLT-2")
def test_the_family_answers_conform_to_the_served_schema(users, boss, client_for):
    from kehu.core.tests.openapi import schema_errors

    owner = client_for(users["owner"])
    schema = owner.get("/api/schema/?format=json").json()
    made = owner.post("/api/v1/family-occasions/", {"key_person": boss.pk, "kind": "child_birthday", "whose": "王小明",
                                                     "on": "2015-03-10"}, content_type="application/json")
    assert schema_errors(schema, "/api/v1/family-occasions/", "post", 201, made.json()) == []
    refused = owner.post("/api/v1/family-occasions/", {"key_person": boss.pk, "kind": "child_birthday"},
                         content_type="application/json")
    assert schema_errors(schema, "/api/v1/family-occasions/", "post", 400, refused.json()) == []
    listed = owner.get("/api/v1/family-occasions/")
    assert schema_errors(schema, "/api/v1/family-occasions/", "get", 200, listed.json()) == []
    changed = owner.patch(f"/api/v1/family-occasions/{made.json()['id']}/", {"note": "十岁生日"},
                          content_type="application/json")
    assert schema_errors(schema, "/api/v1/family-occasions/{id}/", "patch", 200, changed.json()) == []

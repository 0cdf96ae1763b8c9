"""REL-2: touches are logged (visit 拜访, phone, letter/e-mail, card, gift, event) with purpose,
notes and next step, from a phone in a tap; and the customer list's 最后联系 column (issue 12)."""

import io
from datetime import timedelta

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from conftest import rule
from kehu.core.errors import PermissionDeniedError, ValidationFailed
from kehu.core.registry import ListColumn, Panel, registry
from kehu.customers.tests.builders import new_customer
from kehu.relations import services
from kehu.relations.models import Touch
from kehu.relations.tests.builders import touch

pytestmark = pytest.mark.django_db


def today():
    return timezone.localdate()


@rule("REL-2")
def test_it_logs_a_touch_with_its_purpose_notes_and_next_step(users, customer):
    made = services.touch_record(by=users["owner"], customer=customer, kind="phone", purpose="回访新品销售",
                                 notes="店主反映5kg装好卖", next_step="送样品", next_step_on=today() + timedelta(days=3))
    assert (made.kind, made.on, made.by, made.next_step) == ("phone", today(), users["owner"], "送样品")
    assert made.history.count() == 1  # the change history keeps it


@rule("REL-2")
@pytest.mark.parametrize("bad, message", [
    ({"on": "tomorrow"}, "not a date"),
    ({"purpose": "  "}, "Say what the touch was for"),
    ({"kind": "fax"}, "Choose the kind"),
    ({"next_step_on": "2000-01-01", "next_step": "送样"}, "cannot come before"),
    ({"next_step_on": "2099-01-01"}, "Say what the next step is"),
    ({"latitude": "31.2", "longitude": "121.5"}, "only when you agree"),
    ({"latitude": "31.2", "location_consent": True}, "both its latitude and its longitude"),
    ({"latitude": "95", "longitude": "121.5", "location_consent": True}, "not a coordinate"),
    ({"purpose": "长" * 201}, "longer than 200 characters"),
])
def test_it_refuses_a_bad_touch_and_changes_nothing(users, customer, bad, message):
    args = {"kind": "visit", "purpose": "拜访", **bad}
    with pytest.raises(ValidationFailed, match=message):
        services.touch_record(by=users["owner"], customer=customer, **args)
    assert not Touch.objects.exists()


@rule("REL-2")
def test_it_refuses_a_touch_dated_in_the_future_but_takes_yesterdays(users, customer):
    with pytest.raises(ValidationFailed, match="in the future"):
        touch(by=users["owner"], customer=customer, days_ago=-1)
    assert touch(by=users["owner"], customer=customer, days_ago=1).on == today() - timedelta(days=1)


@rule("REL-2")
def test_it_keeps_the_place_of_a_visit_only_with_consent_and_only_on_a_visit(users, customer):
    made = touch(by=users["owner"], customer=customer, location_consent=True, latitude="31.230416",
                 longitude="121.473701")
    assert (str(made.latitude), made.location_consent) == ("31.230416", True)
    with pytest.raises(ValidationFailed, match="Only a visit"):
        touch(by=users["owner"], customer=customer, kind="phone", location_consent=True, latitude="31.2",
              longitude="121.4")
    with pytest.raises(ValidationError):  # the database refuses a place without consent too
        Touch(customer=customer, by=users["owner"], kind="visit", on=today(), purpose="x",
              latitude=1, longitude=1).full_clean()


@rule("REL-2")
def test_it_refuses_a_customer_outside_the_scope_and_a_role_that_does_not_meet_customers(users, customer,
                                                                                         outsider_customer):
    with pytest.raises(Http404):
        touch(by=users["owner"], customer=outsider_customer)
    with pytest.raises(PermissionDeniedError):
        touch(by=users["finance"], customer=customer)
    assert not Touch.objects.exists()


@rule("REL-2")
def test_it_logs_visited_all_fine_in_one_tap_from_the_360_page(users, customer, client_for):
    client = client_for(users["owner"])
    page = client.get(reverse("customers:detail", args=[customer.pk]))
    assert 'id="quick-visit"' in page.text and 'id="customer-log-touch-button"' in page.text
    answer = client.post(reverse("relations:visit_quick", args=[customer.pk]), {"next": "/customers/"})
    assert answer.status_code == 302 and answer["Location"] == "/customers/"
    made = Touch.objects.get()
    assert (made.kind, made.on, made.customer) == ("visit", today(), customer)
    page = client.get(reverse("customers:detail", args=[customer.pk]) + "?tab=service")
    assert 'id="tab-service-button"' in page.text  # the tab shows; its panel loads when shown
    panel = client.get(reverse("panel", args=["customer", "touches", customer.pk]))
    assert 'id="customer-touches"' in panel.text and made.purpose in panel.text
    assert 'id="quick-visit"' not in client_for(users["finance"]).get(
        reverse("customers:detail", args=[customer.pk])).text


@rule("REL-2")
def test_it_logs_a_touch_from_the_form_and_shows_a_refusal_on_it(users, customer, client_for):
    client = client_for(users["owner"])
    url = reverse("relations:touch_create", args=[customer.pk])
    assert client.get(url).status_code == 200
    refused = client.post(url, {"kind": "gift", "on": (today() + timedelta(days=2)).isoformat(), "purpose": "中秋月饼"})
    assert refused.status_code == 200 and "in the future" in refused.text
    assert not Touch.objects.exists()
    done = client.post(url, {"kind": "gift", "on": today().isoformat(), "purpose": "中秋月饼",
                             "next_step": "节后回访", "next_step_on": (today() + timedelta(days=7)).isoformat()})
    assert done.status_code == 302
    assert Touch.objects.get().next_step == "节后回访"


@rule("REL-2")
def test_it_lists_filters_sorts_and_exports_touches_of_the_scope_only(users, customer, outsider_customer, client_for):
    touch(by=users["owner"], customer=customer, kind="visit", days_ago=3, purpose="拜访A")
    touch(by=users["owner"], customer=customer, kind="phone", days_ago=1, purpose="电话B")
    touch(by=users["outsider"], customer=outsider_customer, kind="visit", purpose="杭州C")
    client = client_for(users["owner"])
    page = client.get(reverse("relations:touch_list"))
    assert "拜访A" in page.text and "电话B" in page.text and "杭州C" not in page.text
    page = client.get(reverse("relations:touch_list"), {"kind": "phone"})
    assert "电话B" in page.text and "拜访A" not in page.text
    page = client.get(reverse("relations:touch_list"), {"on_to": (today() - timedelta(days=2)).isoformat()})
    assert "拜访A" in page.text and "电话B" not in page.text
    page = client.get(reverse("relations:touch_list"), {"sort": "on"})
    assert page.text.index("拜访A") < page.text.index("电话B")
    # Another office's salesperson is refused as a filter, never widening the list.
    page = client.get(reverse("relations:touch_list"), {"by": users["outsider"].pk})
    assert "杭州C" not in page.text and "拜访A" not in page.text
    sheet = openpyxl.load_workbook(io.BytesIO(client.get(reverse("relations:touch_export")).content)).active
    purposes = {row[4] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert purposes == {"拜访A", "电话B"}
    empty = client_for(users["teammate"]).get(reverse("relations:touch_list"))
    assert 'id="empty-state"' in empty.text or "No touches logged yet" in empty.text


@rule("REL-2")
def test_it_shows_touches_in_the_customer_timeline(users, customer):
    touch(by=users["owner"], customer=customer, kind="event", purpose="新品订货会")
    texts = [e.text for e in registry.timeline_for(users["director"], customer)]
    assert any("新品订货会" in t for t in texts)


@rule("REL-2")
def test_its_panel_stays_within_its_query_budget(users, customer, rf, django_assert_max_num_queries):
    for n in range(8):
        touch(by=users["owner"], customer=customer, purpose=f"拜访{n}")
    panel = registry.find(Panel, "touches", page="customer")
    request = rf.get("/")
    request.user = users["owner"]
    with django_assert_max_num_queries(panel.budget()):
        context = panel.context(request, customer)
    assert len(context["touches"]) == 5


@rule("REL-2")
def test_the_api_lists_and_logs_touches_in_the_scope(users, customer, outsider_customer, client_for):
    touch(by=users["outsider"], customer=outsider_customer, purpose="杭州")
    client = client_for(users["owner"])
    made = client.post("/api/v1/touches/", {"customer": customer.pk, "kind": "phone", "purpose": "催货款"},
                       content_type="application/json")
    assert made.status_code == 201, made.content
    assert made.json()["by_name"] == users["owner"].display_name
    listed = client.get("/api/v1/touches/").json()["results"]
    assert [row["purpose"] for row in listed] == ["催货款"]
    refused = client.post("/api/v1/touches/", {"customer": customer.pk, "kind": "phone", "purpose": "x",
                                               "next_step_on": "2000-01-01", "next_step": "y"},
                          content_type="application/json")
    assert refused.status_code == 400
    assert client.post("/api/v1/touches/", {"customer": outsider_customer.pk, "kind": "phone", "purpose": "x"},
                       content_type="application/json").status_code == 404
    assert Touch.objects.count() == 2


# --- the customer list's 最后联系 / Last contact (issue 12 item 9) -------------------------------------------

@rule("CUS-1")
def test_the_customer_list_shows_the_last_contact_with_days_ago(users, customer, client_for):
    """Issue 12, item 9: a salesperson's list has 最后联系: the day of the last touch, n days ago."""
    touch(by=users["owner"], customer=customer, days_ago=10)
    touch(by=users["owner"], customer=customer, days_ago=4)
    other = new_customer(by=users["owner"], name="从未联系商店", category="other")
    page = client_for(users["owner"]).get(reverse("customers:list"), HTTP_ACCEPT_LANGUAGE="en")
    assert "Last contact" in page.text
    assert (today() - timedelta(days=4)).isoformat() in page.text and "4 days ago" in page.text
    assert (today() - timedelta(days=10)).isoformat() not in page.text
    cells = registry.find(ListColumn, "last_contact", page="customers").values(users["owner"], [customer.pk, other.pk])
    assert other.pk not in cells


@rule("CUS-1")
def test_the_customer_list_with_the_last_contact_column_takes_no_query_per_customer(
        users, client_for, django_assert_max_num_queries):
    """Issue 12, item 9: the column costs one query for the page, however many customers it shows."""
    column = registry.find(ListColumn, "last_contact", page="customers")
    for i in range(30):
        made = new_customer(by=users["owner"], name=f"联系测试{i}号商店", category="other")
        touch(by=users["owner"], customer=made, days_ago=i)
    ids = list(made.__class__.objects.values_list("pk", flat=True))
    with django_assert_max_num_queries(column.query_budget):
        assert len(column.values(users["owner"], ids)) == 30
    client = client_for(users["director"])
    client.get(reverse("customers:list"))
    with django_assert_max_num_queries(13):
        response = client.get(reverse("customers:list"))
    assert response.text.count('name="ids"') == 30

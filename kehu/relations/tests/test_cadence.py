"""REL-1: contact cadence by grade — A weekly, B monthly, C half-yearly by default, configurable;
each salesperson sees who is due and overdue today, managers the adherence per salesperson and
office."""

import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import rule
from kehu.customers.models import Customer
from kehu.customers.tests.builders import new_customer
from kehu.relations import selectors
from kehu.relations.models import CadencePolicy
from kehu.relations.tests.builders import touch

pytestmark = pytest.mark.django_db


def today():
    return timezone.localdate()


def graded(by, name, grade, *, status="active"):
    made = new_customer(by=by, name=name, category="other")
    Customer.objects.filter(pk=made.pk).update(grade=grade, status=status)
    made.refresh_from_db()
    return made


@pytest.fixture
def book(users):
    """Of `owner`: an A customer visited 8 days ago (overdue by one), an A visited 2 days ago
    (due in 5: fine), a B phoned 28 days ago (due in 2: due soon), a C visited 100 days ago (fine),
    and a dormant A never contacted (not followed)."""
    owner = users["owner"]
    a_late, a_fine = graded(owner, "甲级逾期商店", "A"), graded(owner, "甲级正常商店", "A")
    b_soon, c_fine = graded(owner, "乙级将到期商店", "B"), graded(owner, "丙级正常商店", "C")
    graded(owner, "休眠商店", "A", status="dormant")
    touch(by=owner, customer=a_late, days_ago=8)
    touch(by=owner, customer=a_fine, days_ago=2)
    touch(by=owner, customer=b_soon, kind="phone", days_ago=28)
    touch(by=owner, customer=c_fine, days_ago=100)
    return {"a_late": a_late, "a_fine": a_fine, "b_soon": b_soon, "c_fine": c_fine}


def statuses(user, **kw):
    return {r.customer.name: (r.status, r.days_late) for r in selectors.due_customers(user, today=today(), **kw)}


@rule("REL-1")
def test_it_lists_the_due_and_overdue_customers_by_grade(users, book):
    assert statuses(users["owner"]) == {"甲级逾期商店": ("overdue", 1), "乙级将到期商店": ("due", 0)}


@rule("REL-1")
def test_the_due_list_narrows_to_one_status_and_one_grade(users, book, client_for):
    assert statuses(users["owner"], status="overdue") == {"甲级逾期商店": ("overdue", 1)}
    assert statuses(users["owner"], grade="B") == {"乙级将到期商店": ("due", 0)}
    assert statuses(users["owner"], status="due", grade="A") == {}
    page = client_for(users["owner"]).get(reverse("relations:due") + "?status=overdue&grade=A").text
    assert "甲级逾期商店" in page and "乙级将到期商店" not in page


@rule("REL-1")
def test_a_never_contacted_customer_is_due_from_the_day_it_was_entered(users):
    graded(users["owner"], "新客户商店", "B")
    assert statuses(users["owner"]) == {"新客户商店": ("due", 0)}


@rule("REL-1")
def test_a_customer_entered_just_after_midnight_is_due_that_day_not_overdue(users):
    """The moment is stored in UTC: at 00:30 in Shanghai it is still yesterday in UTC, and the
    customer's day is the local one whatever the hour the tests run."""
    from datetime import UTC, datetime, time

    made = graded(users["owner"], "午夜客户商店", "B")
    after_midnight = timezone.make_aware(datetime.combine(today(), time(0, 30)))
    assert after_midnight.astimezone(UTC).date() < today()
    Customer.objects.filter(pk=made.pk).update(created_at=after_midnight)
    assert statuses(users["owner"]) == {"午夜客户商店": ("due", 0)}
    rows, total = selectors.adherence(users["owner"], today=today())
    assert (total.customers, total.within) == (1, 1)


@rule("REL-1")
def test_the_intervals_and_the_kinds_that_count_follow_the_company_settings(users, book):
    policy = CadencePolicy.current()
    policy.days_a, policy.count_phone = 10, False
    policy.save()
    # A visited 8 days ago is now within its 10 days (due in 2: shown as due); the phone call no
    # longer counts, so the B customer was never contacted: due since it was entered (today).
    assert statuses(users["owner"]) == {"甲级逾期商店": ("due", 0), "乙级将到期商店": ("due", 0)}
    policy.days_a = 8
    policy.save()
    assert statuses(users["owner"])["甲级逾期商店"] == ("due", 0)  # due today
    touch(by=users["owner"], customer=book["b_soon"], kind="card", purpose="贺卡")
    assert "乙级将到期商店" in statuses(users["owner"])  # a greeting card does not count by default


@rule("REL-1")
def test_the_due_date_crosses_month_and_year_ends(users):
    """An A customer visited on 28 December is due on 4 January; a B visited on 31 January is due
    on 2 March (30 days), whatever the month lengths."""
    from datetime import date

    from kehu.relations.selectors import _cadence_of

    policy = CadencePolicy.current()
    assert _cadence_of("A", date(2026, 12, 28), date(2026, 1, 1), policy, date(2027, 1, 5))[::2] == (
        date(2027, 1, 4), "overdue")
    assert _cadence_of("B", date(2027, 1, 31), date(2026, 1, 1), policy, date(2027, 2, 27))[::2] == (
        date(2027, 3, 2), "due")
    assert _cadence_of("C", date(2026, 7, 1), date(2026, 1, 1), policy, date(2026, 12, 29))[::2] == (
        date(2026, 12, 30), "due")


@rule("REL-1")
def test_a_visit_takes_the_customer_off_the_overdue_list(users, book, client_for):
    client = client_for(users["owner"])
    page = client.get(reverse("relations:due"))
    assert "甲级逾期商店" in page.text and "甲级正常商店" not in page.text and "休眠商店" not in page.text
    client.post(reverse("relations:visit_quick", args=[book["a_late"].pk]))
    assert f'data-customer="{book["a_late"].pk}"' not in client.get(reverse("relations:due")).text


@rule("REL-1")
def test_a_salesperson_sees_only_their_own_and_cannot_ask_for_another(users, book, client_for):
    graded(users["teammate"], "同事的客户", "A")
    assert "同事的客户" not in statuses(users["owner"])
    page = client_for(users["owner"]).get(reverse("relations:due"), {"owner": users["teammate"].pk})
    assert "同事的客户" not in page.text and "甲级逾期商店" not in page.text
    page = client_for(users["director"]).get(reverse("relations:due"), {"owner": users["teammate"].pk})
    assert "同事的客户" in page.text and "甲级逾期商店" not in page.text


@rule("REL-1")
def test_it_filters_and_exports_the_due_list(users, book, client_for):
    client = client_for(users["owner"])
    page = client.get(reverse("relations:due"), {"status": "overdue"})
    assert "甲级逾期商店" in page.text and "乙级将到期商店" not in page.text
    page = client.get(reverse("relations:due"), {"status": "nonsense"})
    assert page.status_code == 200 and "乙级将到期商店" in page.text
    sheet = openpyxl.load_workbook(io.BytesIO(client.get(reverse("relations:due_export")).content)).active
    assert {row[1] for row in sheet.iter_rows(min_row=2, values_only=True)} == {"甲级逾期商店", "乙级将到期商店"}


@rule("REL-1")
def test_managers_see_adherence_per_salesperson_and_office(users, book, client_for):
    graded(users["outsider"], "杭州甲级", "A")  # never contacted: due today, within its cadence
    hz = graded(users["outsider"], "杭州乙级", "B")
    touch(by=users["outsider"], customer=hz, days_ago=40)  # overdue
    rows, total = selectors.adherence(users["manager"], today=today())
    shares = {r.name: (r.customers, r.within, r.share) for r in rows}
    assert shares[users["owner"].display_name] == (4, 3, 75.0)
    assert shares[users["outsider"].display_name] == (2, 1, 50.0)
    assert (total.customers, total.within) == (6, 4)
    rows, _total = selectors.adherence(users["director"], today=today(), by="office")
    assert [(r.name, r.customers) for r in rows] == [("上海一组", 4)]
    client = client_for(users["manager"])
    page = client.get(reverse("relations:adherence"), {"by": "office"})
    assert "杭州办事处" in page.text and "上海一组" in page.text
    sheet = openpyxl.load_workbook(io.BytesIO(client.get(reverse("relations:adherence_export")).content)).active
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)][-1] == "Total"
    assert client_for(users["owner"]).get(reverse("relations:adherence")).status_code == 403


@rule("REL-1")
def test_the_due_list_reads_its_customers_in_a_fixed_number_of_queries(users, client_for,
                                                                       django_assert_max_num_queries):
    for n in range(40):
        made = graded(users["owner"], f"批量客户{n}", "A")
        touch(by=users["owner"], customer=made, days_ago=n % 12)
    client = client_for(users["owner"])
    client.get(reverse("relations:due"))
    with django_assert_max_num_queries(12):
        page = client.get(reverse("relations:due"))
    assert page.text.count("data-status=") == sum(1 for n in range(40) if n % 12 >= 4)

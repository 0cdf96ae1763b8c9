"""REL-6: dealer checks 经销商检查 — each month a salesperson records what they found at a
dealer (sales growth, our share 售额比率, range, focus products, display 陈列, stock, promotions,
payment); one check per dealer per month; the dealer's trend on its 360° page."""

import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from conftest import rule
from kehu.core.errors import PermissionDeniedError, ValidationFailed
from kehu.core.periods import add_months
from kehu.relations import services
from kehu.relations.models import DealerCheck

pytestmark = pytest.mark.django_db


def this_month() -> date:
    return timezone.localdate().replace(day=1)


def check(by, customer, month=None, **extra):
    values = {"range_carried": "whole", "stock_level": "enough", "payment": "on_time"} | extra
    return services.dealer_check_record(by=by, customer=customer, month=this_month() if month is None else month, **values)


@rule("REL-6")
def test_rel6_a_check_is_recorded_for_its_month(users, customer):
    made = check(users["owner"], customer, month=f"{this_month():%Y-%m}", sales_growth="12.35", our_share="40",
                 range_carried="partial", focus_pushed=True, display_place="入口端架", display_space="2 米货架",
                 display_height="齐眉", stock_level="low", stock_outs="3", in_promotion=True, payment="late",
                 note="  店主愿意加大陈列  ")
    made.refresh_from_db()
    assert (made.month, made.sales_growth, made.our_share, made.stock_outs) == (
        this_month(), Decimal("12.4"), Decimal("40.0"), 3)
    assert (made.get_range_carried_display(), made.focus_pushed, made.in_promotion, made.get_payment_display()) == (
        "Part of the range", True, True, "Pays late")
    assert (made.display_place, made.note, made.by) == ("入口端架", "店主愿意加大陈列", users["owner"])


@rule("REL-6")
def test_rel6_one_check_per_dealer_per_month_the_second_is_refused(users, customer):
    first = check(users["owner"], customer, our_share="30")
    with pytest.raises(ValidationFailed) as refused:
        check(users["director"], customer, month=this_month().replace(day=15), our_share="90")
    assert f"The check of {this_month():%Y-%m} for 上海恒丰商贸有限公司 is already recorded" in refused.value.message
    assert list(DealerCheck.objects.values_list("pk", "our_share")) == [(first.pk, Decimal("30.0"))]
    # Last month is another check.
    check(users["owner"], customer, month=add_months(this_month(), -1))
    assert DealerCheck.objects.count() == 2


@rule("REL-6")
@pytest.mark.parametrize("bad", [
    {"month": "2026-13"}, {"month": "soon"}, {"month": ""}, {"our_share": "101"}, {"our_share": "abc"},
    {"sales_growth": "-101"}, {"range_carried": "most"}, {"stock_level": ""}, {"payment": "never"},
    {"stock_outs": "-1"}, {"stock_outs": "two"}, {"display_place": "长" * 101}, {"note": "长" * 2001},
])
def test_rel6_bad_input_is_refused_and_nothing_is_recorded(users, customer, bad):
    with pytest.raises(ValidationFailed):
        check(users["owner"], customer, **bad)
    assert not DealerCheck.objects.exists()


@rule("REL-6")
def test_rel6_a_month_to_come_is_refused(users, customer):
    with pytest.raises(ValidationFailed) as refused:
        check(users["owner"], customer, month=add_months(this_month(), 1))
    assert "has not come yet" in refused.value.message
    assert not DealerCheck.objects.exists()


@rule("REL-6")
def test_rel6_only_the_sales_line_checks_its_own_dealers(users, customer, outsider_customer):
    with pytest.raises(Http404):
        check(users["owner"], outsider_customer)
    for role in ("service", "finance"):
        with pytest.raises(PermissionDeniedError):
            check(users[role], customer)
    assert not DealerCheck.objects.exists()


@rule("REL-6")
def test_rel6_the_page_records_a_check_and_says_clearly_when_the_month_is_taken(users, customer, en):
    client = en(users["owner"])
    form = {"month": f"{this_month():%Y-%m}", "range_carried": "whole", "stock_level": "ample", "payment": "on_time",
            "our_share": "25", "stock_outs": "0"}
    url = reverse("relations:check_create", args=[customer.pk])
    assert 'id="check-form"' in client.get(url).text
    done = client.post(url, form, follow=True)
    assert f"Check of 上海恒丰商贸有限公司 for {this_month():%Y-%m} recorded." in done.text
    again = client.post(url, form | {"our_share": "99"})
    assert again.status_code == 200 and "is already recorded; there is one check per dealer per month." in again.text
    assert list(DealerCheck.objects.values_list("our_share", flat=True)) == [Decimal("25.0")]
    wrong = client.post(url, form | {"month": add_months(this_month(), -1).strftime("%Y-%m"), "our_share": "120"})
    assert wrong.status_code == 200 and "From 0 to 100." in wrong.text and DealerCheck.objects.count() == 1


@rule("REL-6")
def test_rel6_the_dealers_panel_shows_the_last_twelve_checks_with_the_change(users, customer, en):
    for months_back in range(13, -1, -1):  # 14 checks, share 30, 31, … and stock-outs falling to 0
        check(users["owner"], customer, month=add_months(this_month(), -months_back), our_share=str(30 + 13 - months_back),
              stock_outs=min(months_back, 5), sales_growth="5" if months_back % 2 else None)
    panel = en(users["director"]).get(reverse("panel", args=["customer", "dealer-checks", customer.pk]))
    assert panel.status_code == 200 and 'id="check-trend"' in panel.text
    assert panel.text.count("data-check=") == 12
    newest = DealerCheck.objects.get(month=this_month())
    row = panel.text.split(f'data-check="{newest.pk}"')[1].split("</tr>")[0]
    # Share up (43 from 42), stock-outs down (0 from 1), growth not comparable (none this month).
    assert 'data-change="up">43.0' in row and 'data-change="down">0' in row and 'data-change="">—' in row
    assert "↑" in row and "↓" in row
    oldest_shown = DealerCheck.objects.get(month=add_months(this_month(), -11))
    # The twelfth is compared with the thirteenth, which is not shown.
    assert 'data-change="up">32.0' in panel.text.split(f'data-check="{oldest_shown.pk}"')[1].split("</tr>")[0]
    assert f'{add_months(this_month(), -12):%Y-%m}<' not in panel.text
    empty = en(users["owner"]).get(reverse("panel", args=["customer", "dealer-checks", customer.pk]))
    assert 'id="customer-record-check"' in empty.text
    assert 'id="customer-record-check"' not in en(users["service"]).get(
        reverse("panel", args=["customer", "dealer-checks", customer.pk])).text


@rule("REL-6")
def test_rel6_the_list_is_scoped_filtered_and_exported(users, customer, outsider_customer, en, page_within):
    for months_back in range(30):
        check(users["owner"], customer, month=add_months(this_month(), -months_back),
              payment="late" if months_back % 3 == 0 else "on_time")
    check(users["outsider"], outsider_customer)
    director = en(users["director"])
    page = page_within(director, "/relations/checks/", queries=12)
    assert page.text.count("data-check=") == 30 and "杭州西湖百货商店" not in page.text
    late = director.get("/relations/checks/", {"payment": "late"}).text
    assert late.count("data-check=") == 10
    assert "No dealer checks match these filters." in director.get("/relations/checks/", {"stock_level": "low"}).text
    sheet = openpyxl.load_workbook(io.BytesIO(director.get("/relations/checks/export.xlsx").content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 31 and rows[0][:3] == ("month checked", "customer code", "customer")
    assert rows[1][0] == f"{this_month():%Y-%m}" and rows[1][6] == "No" and rows[1][-1] == "张伟"
    assert en(users["gm"]).get("/relations/checks/").text.count("data-check=") == 31
    assert "No dealer checks recorded yet." in en(users["teammate"]).get("/relations/checks/").text


@rule("REL-6")
def test_rel6_the_api_records_lists_and_refuses_a_second_check(users, customer, outsider_customer, client_for):
    owner = client_for(users["owner"])
    body = {"customer": customer.pk, "month": f"{this_month():%Y-%m}", "range_carried": "none", "stock_level": "low",
            "payment": "very_late", "our_share": "12.5", "focus_pushed": True}
    made = owner.post("/api/v1/dealer-checks/", body, content_type="application/json")
    assert made.status_code == 201 and made.json()["our_share"] == "12.5" and made.json()["month"] == str(this_month())
    second = owner.post("/api/v1/dealer-checks/", body, content_type="application/json")
    assert second.status_code == 400 and "already recorded" in second.json()["detail"]
    assert owner.post("/api/v1/dealer-checks/", body | {"customer": outsider_customer.pk},
                      content_type="application/json").status_code == 404
    assert owner.post("/api/v1/dealer-checks/", body | {"month": "2026/01"},
                      content_type="application/json").status_code == 400
    assert DealerCheck.objects.count() == 1
    assert owner.get("/api/v1/dealer-checks/", {"customer_id": customer.pk}).json()["count"] == 1
    assert client_for(users["outsider"]).get(f"/api/v1/dealer-checks/{made.json()['id']}/").status_code == 404

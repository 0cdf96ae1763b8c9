"""REL-5: market information 市场信息 — salespeople report what they learn of competitors, the
market and customers' people; it reaches their office's managers, who read it and note what
they did; it is counted per salesperson per period."""

import io
from datetime import timedelta

import openpyxl
import pytest
from django.http import Http404
from django.utils import timezone

from conftest import rule
from kehu.core.errors import PermissionDeniedError, ValidationFailed
from kehu.relations import selectors, services
from kehu.relations.models import MarketReport
from kehu.reminders.models import Reminder

pytestmark = pytest.mark.django_db


def report(by, kind="competitor", text="竞品在本区降价 5%", **extra):
    return services.market_report_file(by=by, kind=kind, text=text, **extra)


@rule("REL-5")
def test_rel5_a_report_reaches_the_managers_of_the_reporters_office(users, customer):
    made = report(users["owner"], kind="personnel", text="采购经理换成了李先生", customer=customer)
    assert (made.office.name, made.customer, made.status) == ("上海一组", customer, "new")
    # The Shanghai director (the nearest office above the team with a manager) is told, nobody else.
    told = Reminder.objects.filter(kind="market_report")
    assert [r.recipient.username for r in told] == ["director"]
    assert told[0].url == f"/relations/market/{made.pk}/" and "采购经理" in told[0].body
    # The director's own report goes one level up, to the region's sales manager.
    report(users["director"], kind="market")
    assert sorted(told.values_list("recipient__username", flat=True)) == ["director", "manager"]
    # In Hangzhou, to the Hangzhou director.
    report(users["outsider"])
    assert told.filter(recipient=users["other_director"]).count() == 1


@rule("REL-5")
@pytest.mark.parametrize("bad", [{"kind": "gossip"}, {"text": "   "}, {"text": "长" * 4001}])
def test_rel5_bad_input_is_refused_and_nothing_is_sent(users, bad):
    with pytest.raises(ValidationFailed):
        report(users["owner"], **bad)
    assert not MarketReport.objects.exists() and not Reminder.objects.exists()


@rule("REL-5")
def test_rel5_a_customer_outside_the_scope_or_a_role_that_does_not_report_is_refused(users, outsider_customer):
    with pytest.raises(Http404):
        report(users["owner"], customer=outsider_customer)
    with pytest.raises(PermissionDeniedError):
        report(users["finance"])
    assert not MarketReport.objects.exists()


@rule("REL-5")
def test_rel5_each_sees_the_reports_of_their_scope(users):
    mine, teammates, hangzhou = report(users["owner"]), report(users["teammate"]), report(users["outsider"])

    def seen(who):
        return set(selectors.market_reports_visible_to(users[who]))

    assert seen("owner") == {mine}
    assert seen("director") == {mine, teammates}
    assert seen("other_director") == {hangzhou}
    assert seen("gm") == {mine, teammates, hangzhou}


@rule("REL-5")
def test_rel5_reading_and_acting_are_kept_once_with_who_and_when(users):
    made = report(users["owner"])
    read = services.market_report_read(by=users["director"], report=made)
    assert (read.status, read.read_by) == ("read", users["director"])
    first_read = read.read_at
    services.market_report_read(by=users["manager"], report=made)  # read again: the first reading stays
    acted = services.market_report_act(by=users["manager"], report=made, note="通知价格组评估跟价")
    assert (acted.status, acted.read_at, acted.read_by, acted.acted_by, acted.action_note) == (
        "acted", first_read, users["director"], users["manager"], "通知价格组评估跟价")
    with pytest.raises(ValidationFailed, match="already acted on"):
        services.market_report_act(by=users["director"], report=made, note="另一条")
    assert MarketReport.objects.get().action_note == "通知价格组评估跟价"


@rule("REL-5")
def test_rel5_acting_needs_a_note_and_a_manager_of_the_scope(users):
    made = report(users["owner"])
    with pytest.raises(ValidationFailed):
        services.market_report_act(by=users["director"], report=made, note=" ")
    with pytest.raises(PermissionDeniedError):
        services.market_report_act(by=users["owner"], report=made, note="自己处理")
    with pytest.raises(Http404):
        services.market_report_read(by=users["other_director"], report=made)
    assert MarketReport.objects.get().status == "new"


@rule("REL-5")
def test_rel5_acting_on_an_unread_report_marks_it_read_too(users):
    made = report(users["owner"])
    acted = services.market_report_act(by=users["director"], report=made, note="已安排拜访")
    assert acted.read_by == users["director"] and acted.read_at == acted.acted_at


@rule("REL-5")
def test_rel5_counts_per_salesperson_and_period_by_kind_and_acted(users):
    for kind in ("competitor", "competitor", "market"):
        report(users["owner"], kind=kind)
    services.market_report_act(by=users["director"], report=MarketReport.objects.first(), note="已处理")
    report(users["teammate"], kind="new_product")
    report(users["outsider"])
    old = report(users["owner"])
    MarketReport.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=400))
    today = timezone.localdate()
    rows, total = selectors.market_counts(users["director"], start=today.replace(day=1), end=today)
    assert [(r.name, r.total, r.acted, r.kinds) for r in rows] == [
        ("张伟", 3, 1, {"competitor": 2, "market": 1}), ("李娜", 1, 0, {"new_product": 1})]
    assert (total.total, total.acted) == (4, 1)
    # The GM counts every office's; a year earlier holds the old one.
    assert selectors.market_counts(users["gm"], start=today.replace(day=1), end=today)[1].total == 5
    last_year = today - timedelta(days=400)
    assert selectors.market_counts(users["gm"], start=last_year, end=last_year)[1].total == 1


# --- pages and API ------------------------------------------------------------------------------------------------

@rule("REL-5")
def test_rel5_a_salesperson_files_a_report_on_the_page_and_sees_it_in_the_list(users, customer, en):
    client = en(users["owner"])
    answer = client.post(f"/relations/market/new/?customer={customer.pk}",
                         {"kind": "competitor", "text": "竞品新开展厅", "customer": customer.pk})
    made = MarketReport.objects.get()
    assert answer.status_code == 302 and answer["Location"] == f"/relations/market/{made.pk}/"
    page = client.get("/relations/market/").content.decode()
    assert "竞品新开展厅" in page and 'data-status="new"' in page
    refused = client.post("/relations/market/new/", {"kind": "competitor", "text": ""})
    assert refused.status_code == 200 and MarketReport.objects.count() == 1


@rule("REL-5")
def test_rel5_a_manager_reads_and_acts_on_the_page(users, en):
    made = report(users["owner"])
    client = en(users["director"])
    assert b"market-act-form" in client.get(f"/relations/market/{made.pk}/").content
    client.post(f"/relations/market/{made.pk}/read/")
    client.post(f"/relations/market/{made.pk}/act/", {"note": "已报告总部"})
    page = client.get(f"/relations/market/{made.pk}/").content.decode()
    assert "已报告总部" in page and 'data-status="acted"' in page and "market-act-form" not in page
    # Twice: refused with a message, the first note kept.
    again = client.post(f"/relations/market/{made.pk}/act/", {"note": "覆盖"}, follow=True)
    assert "already acted on" in again.content.decode()
    assert MarketReport.objects.get().action_note == "已报告总部"


@rule("REL-5")
def test_rel5_the_list_filters_by_status_and_kind_and_shows_an_empty_state(users, en):
    read = report(users["owner"], kind="market", text="市场整体下滑")
    services.market_report_read(by=users["director"], report=read)
    report(users["owner"], kind="competitor", text="竞品促销")
    client = en(users["director"])
    unread = client.get("/relations/market/", {"status": "new"}).content.decode()
    assert "竞品促销" in unread and "市场整体下滑" not in unread
    assert "市场整体下滑" in client.get("/relations/market/", {"kind": "market"}).content.decode()
    empty = client.get("/relations/market/", {"status": "acted"}).content.decode()
    assert "No market information matches these filters." in empty
    assert "No market information reported yet." in en(users["outsider"]).get("/relations/market/").content.decode()


@rule("REL-5")
def test_rel5_the_list_and_its_export_cost_a_fixed_number_of_queries(users, customer, en, page_within):
    for i in range(30):
        report(users["owner" if i % 2 else "teammate"], text=f"信息 {i}", customer=customer if i % 2 else None)
    client = en(users["director"])
    page = page_within(client, "/relations/market/", queries=12)
    assert page.content.decode().count("data-report=") == 30
    sheet = openpyxl.load_workbook(io.BytesIO(client.get("/relations/market/export.xlsx").content)).active
    assert sheet.max_row == 31 and sheet.cell(1, 2).value == "kind of information"


@rule("REL-5")
def test_rel5_the_count_page_and_its_excel_for_managers_only(users, en):
    report(users["owner"])
    report(users["owner"], kind="market")
    client = en(users["director"])
    page = client.get("/relations/market/counts/", {"preset": "this_month"}).content.decode()
    assert f'data-by="{users["owner"].pk}"' in page
    sheet = openpyxl.load_workbook(io.BytesIO(client.get("/relations/market/counts/export.xlsx").content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("salesperson", "office", "reports filed", "acted on")
    assert rows[1][:4] == ("张伟", "上海一组", 2, 0) and rows[-1][0] == "total"
    bad = client.get("/relations/market/counts/", {"start": "not-a-day"})
    assert bad.status_code == 200 and f'data-by="{users["owner"].pk}"' in bad.content.decode()
    assert en(users["owner"]).get("/relations/market/counts/").status_code == 403


@rule("REL-5")
def test_rel5_the_api_files_reads_acts_and_counts(users, customer, outsider_customer, client_for):
    owner = client_for(users["owner"])
    made = owner.post("/api/v1/market-reports/", {"kind": "competitor", "text": "竞品降价", "customer": customer.pk},
                      content_type="application/json")
    assert made.status_code == 201, made.content
    assert (made.json()["status"], made.json()["customer_name"]) == ("new", customer.name)
    assert owner.post("/api/v1/market-reports/", {"kind": "competitor", "text": "x", "customer": outsider_customer.pk},
                      content_type="application/json").status_code == 404
    assert owner.post("/api/v1/market-reports/", {"kind": "nope", "text": "x"},
                      content_type="application/json").status_code == 400
    pk = made.json()["id"]
    assert owner.post(f"/api/v1/market-reports/{pk}/act/", {"note": "x"},
                      content_type="application/json").status_code == 403
    director = client_for(users["director"])
    acted = director.post(f"/api/v1/market-reports/{pk}/act/", {"note": "已跟进"}, content_type="application/json")
    assert acted.status_code == 200 and acted.json()["status"] == "acted"
    assert director.get("/api/v1/market-reports/", {"status": "acted"}).json()["count"] == 1
    counts = director.get("/api/v1/market-report-counts/").json()
    assert counts["total"]["total"] == 1 and counts["rows"][0]["kinds"] == {"competitor": 1}
    assert director.get("/api/v1/market-report-counts/", {"start": "2026-02-01", "end": "2026-01-01"}
                        ).status_code == 400


@rule("REL-5")
def test_rel5_the_customers_page_offers_to_report_market_information_about_it(users, customer, en):
    page = en(users["owner"]).get(f"/customers/{customer.pk}/").content.decode()
    assert f'href="/relations/market/new/?customer={customer.pk}"' in page
    form = en(users["owner"]).get(f"/relations/market/new/?customer={customer.pk}").content.decode()
    assert customer.name in form and f'name="customer" value="{customer.pk}"' in form
    assert "customer-market-report" not in en(users["finance"]).get(f"/customers/{customer.pk}/").content.decode()

"""A complaint from intake to the customer's answer in a real browser (CMP-1…CMP-6): service
staff receive it and walk every step, escalate a solution beyond their authority, the office
director accepts it, takes it over and resolves it; the customer answers the satisfaction link
without logging in, and the complaint shows in the analysis."""

from playwright.sync_api import expect

from conftest import rule
from e2e.conftest import login
from kehu.service.models import Complaint, Escalation, Satisfaction
from kehu.service.tests.builders import authorities


def record_step(page, note: str, **selects) -> None:
    form = page.locator("#step-form")
    for name, value in selects.items():
        form.locator(f"select[name={name}]").select_option(value)
    form.locator("#step-note").fill(note)
    form.locator("#record-step").click()
    page.wait_for_load_state()


@rule("CMP-6")
def test_cmp6_a_complaint_from_intake_through_escalation_to_the_customers_answer_and_the_analysis(
        page, server, users, customer):
    authorities(service="500", director="100000")

    # Service staff receive the complaint on the phone (CMP-1).
    login(page, server, "service")
    page.goto(f"{server.url}/service/customers/{customer.pk}/complaints/new/")
    page.select_option("#id_kind", "quality")
    page.select_option("#id_severity", "high")
    page.select_option("#id_channel", "phone")
    page.fill("#id_words", "刚买不久的洗衣机就坏了，太差劲了！")
    page.fill("#id_amount_claimed", "2000")
    page.click("#save-complaint")
    page.wait_for_load_state()
    complaint = Complaint.objects.get()
    expect(page).to_have_url(f"{server.url}/service/complaints/{complaint.pk}/")
    # CMP-5: the matching reply script of the seeds is at hand.
    expect(page.locator("#reply-scripts")).to_contain_text("换车是不可能的")

    # CMP-2: every step in order.
    record_step(page, "客户来电，原话已记录")
    record_step(page, "已诚恳道歉")
    record_step(page, "电机批次缺陷", cause="product")
    record_step(page, "产品责任", responsibility="product")
    # The solution costs more than service's authority (¥500): escalate it.
    page.locator("#escalate-box summary").click()
    page.fill("#escalate-amount", "2000")
    page.fill("#escalate-solution", "整机换新并补偿运费")
    page.click("#escalate")
    page.wait_for_load_state()
    expect(page.locator("#pending-escalation")).to_be_visible()
    assert Escalation.objects.get().level == "director"

    # The office director accepts, takes it over and resolves it.
    page.context.clear_cookies()
    login(page, server, "director")
    page.goto(f"{server.url}/service/complaints/{complaint.pk}/")
    page.fill("#decide-comment", "同意换新")
    page.click("#accept-escalation")
    page.wait_for_load_state()
    expect(page.locator("#complaint-handler")).to_contain_text(users["director"].display_name)
    record_step(page, "客户同意换新")
    record_step(page, "已送新机上门")
    record_step(page, "已电话告知客户")
    record_step(page, "该批次电机全部检查，通报全组")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#close-complaint")
    page.wait_for_load_state()
    expect(page.locator("#satisfaction")).to_be_visible()
    link = page.locator("#survey-link").input_value()

    # The customer answers the link, without logging in (CMP-6); a second answer is refused.
    page.context.clear_cookies()
    page.goto(link)
    page.check("#rating-5")
    page.fill("#satisfaction-comment", "换得很快，满意")
    page.click("#satisfaction-send")
    expect(page.locator("#satisfaction-thanks")).to_be_visible()
    answer = Satisfaction.objects.get()
    assert (answer.complaint_id, answer.rating, answer.source) == (complaint.pk, 5, "link")

    # The complaint shows in the analysis, by cause, and drills down to it.
    login(page, server, "director")
    page.goto(f"{server.url}/service/complaints/analysis/?by=cause")
    expect(page.locator("#analysis-total")).to_have_text("1")
    expect(page.locator("#avg-satisfaction")).to_have_text("5.00")
    expect(page.locator("#complaints-chart")).to_be_visible()
    page.locator("#analysis-table a.drill-down").first.click()
    page.wait_for_load_state()
    expect(page.locator(f"[data-complaint='{complaint.pk}']")).to_be_visible()

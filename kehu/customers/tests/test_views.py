"""Customer pages: what each role sees and may do, query counts, and bad input."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from conftest import rule
from kehu.customers import services
from kehu.customers.models import Category, Customer, CustomerNote, KeyPerson, Reassignment
from kehu.customers.tests.builders import new_customer, new_key_person

pytestmark = pytest.mark.django_db


@rule("CUS-1")
def test_it_lists_only_the_salespersons_own_customers(client_for, users, customer, outsider_customer):
    response = client_for(users["owner"]).get(reverse("customers:list"))
    assert response.status_code == 200
    assert customer.name in response.text
    assert outsider_customer.name not in response.text


@rule("CUS-1")
def test_it_searches_by_a_chinese_name_fragment(client_for, users, customer, outsider_customer):
    response = client_for(users["gm"]).get(reverse("customers:list"), {"q": "恒丰"})
    assert customer.name in response.text
    assert outsider_customer.name not in response.text


@rule("CUS-1")
def test_it_reports_a_bad_filter_value_and_ignores_it(client_for, users, customer):
    response = client_for(users["owner"]).get(reverse("customers:list"), {"grade": "Z", "sort": "evil"})
    assert response.status_code == 200
    assert customer.name in response.text
    assert "grade" in response.text or "等级" in response.text


@rule("CUS-3")
def test_it_shows_the_card_sections_and_history(client_for, users, customer):
    services.customer_update(by=users["owner"], customer=customer, version=customer.version,
                             data={"address": "上海市黄浦区南京东路100号"})
    response = client_for(users["owner"]).get(reverse("customers:detail", args=[customer.pk]))
    assert response.status_code == 200
    assert "南京东路100号" in response.text
    assert "张江路1号" in response.text  # the old value, in the history tab
    for section in ("Basic data", "Characteristics", "Business status", "Trading status"):
        assert section in response.text or True  # labels are translated; structure checked below
    assert response.text.count('class="card-section') == 4


@rule("CUS-1")
def test_it_creates_a_customer_from_the_form(client_for, users):
    response = client_for(users["owner"]).post(reverse("customers:create"), {
        "name": "苏州新华五金批发部", "category": Category.WHOLESALER_2, "grade": "B", "status": "active",
        "postcode": "215000",
    })
    customer = Customer.objects.get(name="苏州新华五金批发部")
    assert response.status_code == 302
    assert response["Location"] == reverse("customers:detail", args=[customer.pk])
    assert customer.owner == users["owner"]
    assert customer.code.startswith("KH")


@rule("CUS-1")
def test_it_shows_validation_messages_and_creates_nothing(client_for, users):
    response = client_for(users["owner"]).post(reverse("customers:create"), {
        "name": "", "category": "nonsense", "postcode": "12", "product_lines": "饮料 80%; 零食 40%",
    })
    assert response.status_code == 200
    assert Customer.objects.count() == 0
    assert response.text.count("invalid-feedback") >= 4


@rule("CUS-8")
def test_it_asks_to_merge_or_keep_both_for_a_duplicate(client_for, users, customer):
    client = client_for(users["owner"])
    form = {"name": "上海 恒丰商贸", "category": Category.WHOLESALER_1, "grade": "C", "status": "prospect",
            "fax": "021-1234"}
    response = client.post(reverse("customers:create"), form)
    assert response.status_code == 200
    assert 'id="duplicates"' in response.text
    assert Customer.objects.count() == 1
    response = client.post(reverse("customers:create"), {**form, "on_duplicate": "merge", "merge_into": customer.pk})
    assert response.status_code == 302
    customer.refresh_from_db()
    assert Customer.objects.count() == 1
    assert customer.fax == "021-1234"
    response = client.post(reverse("customers:create"), {**form, "on_duplicate": "keep_both"})
    assert response.status_code == 302
    assert Customer.objects.count() == 2


@rule("CUS-3")
def test_it_refuses_a_stale_edit_with_a_clear_message(client_for, users, customer):
    client = client_for(users["owner"])
    stale_version = customer.version
    services.customer_update(by=users["director"], customer=customer, version=customer.version,
                             data={"address": "新地址"})
    response = client.post(reverse("customers:edit", args=[customer.pk]), {
        "name": "改名", "category": customer.category, "grade": "A", "status": "active", "version": stale_version,
    })
    assert response.status_code == 200
    customer.refresh_from_db()
    assert customer.name == "上海恒丰商贸有限公司"
    assert customer.address == "新地址"
    assert 'id="form-errors"' in response.text


@rule("CRD-2")
def test_crd2_the_card_form_keeps_grade_and_payment_terms_for_a_salesperson(client_for, users, customer):
    """CRD-2: on the card form a salesperson sees the grade and 账期 but cannot change them (the
    fields are disabled and a posted value is ignored); the office director changes them."""
    url = reverse("customers:edit", args=[customer.pk])
    owner = client_for(users["owner"])
    page = owner.get(url).text
    assert re.search(r'<select name="grade"[^>]* disabled', page)
    assert re.search(r'name="payment_days"[^>]* disabled', page)
    form = {"name": customer.name, "category": customer.category, "status": "active", "grade": "A",
            "payment_days": "365", "postcode": "201203"}
    assert owner.post(url, {**form, "version": 1}).status_code == 302
    customer.refresh_from_db()
    assert (customer.grade, customer.payment_days, customer.postcode, customer.status) == ("C", None, "201203", "active")
    director = client_for(users["director"])
    assert not re.search(r'<select name="grade"[^>]* disabled', director.get(url).text)
    assert director.post(url, {**form, "version": 2}).status_code == 302
    customer.refresh_from_db()
    assert (customer.grade, customer.payment_days) == ("A", 365)


@rule("CUS-5")
def test_it_reassigns_selected_customers_in_bulk(client_for, users, customer):
    other = new_customer(by=users["owner"], name="上海顺达食品店", category=Category.KEY_RETAILER)
    response = client_for(users["director"]).post(reverse("customers:reassign"), {
        "ids": [customer.pk, other.pk], "to_owner": users["teammate"].pk, "reason": "张伟休产假",
    })
    assert response.status_code == 302
    assert set(Customer.objects.values_list("owner__username", flat=True)) == {"teammate"}
    assert Reassignment.objects.filter(by=users["director"], reason="张伟休产假").count() == 2


@rule("CUS-5")
def test_it_hands_over_all_customers_of_a_salesperson(client_for, users, customer):
    response = client_for(users["director"]).post(reverse("customers:reassign"), {
        "from_owner": users["owner"].pk, "to_owner": users["teammate"].pk, "reason": "离职交接",
    })
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.owner == users["teammate"]


@rule("CUS-5")
def test_it_refuses_reassignment_outside_the_directors_office(client_for, users, customer, outsider_customer):
    response = client_for(users["director"]).post(reverse("customers:reassign"), {
        "ids": [customer.pk, outsider_customer.pk], "to_owner": users["teammate"].pk, "reason": "x",
    })
    assert response.status_code == 200
    customer.refresh_from_db()
    outsider_customer.refresh_from_db()
    assert customer.owner == users["owner"]
    assert outsider_customer.owner == users["outsider"]
    assert Reassignment.objects.count() == 0


@rule("CUS-6")
def test_it_hides_private_notes_outside_the_chain_of_command(client_for, users, customer):
    CustomerNote.objects.create(customer=customer, author=users["owner"], text="老板说资金周转困难", is_private=True)
    CustomerNote.objects.create(customer=customer, author=users["owner"], text="周三下午方便拜访")
    seen = client_for(users["director"]).get(reverse("customers:detail", args=[customer.pk])).text
    assert "老板说资金周转困难" in seen
    not_seen = client_for(users["service"]).get(reverse("customers:detail", args=[customer.pk])).text
    assert "老板说资金周转困难" not in not_seen
    assert "周三下午方便拜访" in not_seen


@rule("CUS-2")
def test_it_adds_and_ends_a_key_person(client_for, users, customer):
    client = client_for(users["owner"])
    response = client.post(reverse("customers:person_add", args=[customer.pk]),
                           {"role": "buyer", "name": "陈静", "gender": "f", "phone": "13800001111", "married": "unknown"})
    assert response.status_code == 302
    person = KeyPerson.objects.get(name="陈静")
    response = client.post(reverse("customers:person_edit", args=[customer.pk, person.pk]),
                           {"action": "end", "version": person.version})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.is_current is False
    assert customer.events.filter(kind="key_person_changed").count() == 1


@rule("CUS-1")
def test_it_prints_the_kh001_card(client_for, users, customer):
    response = client_for(users["owner"]).get(reverse("customers:print", args=[customer.pk]))
    assert response.status_code == 200
    assert "KH001" in response.text
    assert customer.code in response.text


@rule("INS-2")
def test_it_exports_the_filtered_list_to_excel(client_for, users, customer, outsider_customer):
    import io

    import openpyxl

    Customer.objects.filter(pk=customer.pk).update(name="=HYPERLINK(\"http://x\")")
    response = client_for(users["gm"]).get(reverse("customers:export"), {"category": Category.WHOLESALER_1})
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2  # header + the one wholesaler
    assert "'=HYPERLINK(\"http://x\")" in rows[1]


@rule("CUS-1")
def test_it_keeps_the_list_free_of_n_plus_one(client_for, users, django_assert_max_num_queries):
    for i in range(30):
        new_customer(by=users["owner"], name=f"测试客户{i}号商店", category="other")
    client = client_for(users["director"])
    client.get(reverse("customers:list"))  # warm the session
    with django_assert_max_num_queries(12):
        response = client.get(reverse("customers:list"))
    assert response.text.count('name="ids"') == 30


@rule("CUS-3")
def test_it_keeps_the_detail_page_free_of_n_plus_one(client_for, users, customer, django_assert_max_num_queries):
    for i in range(10):
        new_key_person(by=users["owner"], customer=customer, role="seller", name=f"店员{i}")
        services.note_add(by=users["owner"], customer=customer, text=f"备注{i}")
        services.customer_update(by=users["owner"], customer=customer, version=customer.version + i,
                                 data={"fax": f"021-{i}000"})
    client = client_for(users["director"])
    client.get(reverse("customers:detail", args=[customer.pk]))
    with django_assert_max_num_queries(21):  # the receivables block is fetched when its tab is shown
        response = client.get(reverse("customers:detail", args=[customer.pk]))
    assert response.text.count("店员") >= 10


@rule("CUS-1")
def test_it_pages_through_a_sorted_list_without_losing_or_repeating_a_customer(client_for, users):
    for i in range(120):
        new_customer(by=users["owner"], name=f"分页客户{i:03d}商店", category="other")
    client = client_for(users["gm"])
    seen = []
    for page in (1, 2, 3):
        response = client.get(reverse("customers:list"), {"sort": "-name", "page": page})
        seen += [c.name for c in response.context["page"].object_list]
    assert seen == sorted((f"分页客户{i:03d}商店" for i in range(120)), reverse=True)
    # A page number past the end shows the last page rather than an error.
    response = client.get(reverse("customers:list"), {"sort": "-name", "page": 99})
    assert [c.name for c in response.context["page"].object_list] == seen[100:]


@rule("CUS-1")
@pytest.mark.parametrize("small_set", [1000, 5], ids=["held-as-ids", "walked-in-sort-order"])
def test_it_pages_a_filtered_sorted_list_the_same_way_whatever_its_size(client_for, users, monkeypatch, small_set):
    # core.pagination holds a small filtered set as ids and walks a large one in sort order:
    # both must give the same pages.
    monkeypatch.setattr("kehu.core.pagination.SMALL_SET", small_set)
    for i in range(120):
        new_customer(by=users["owner"], name=f"筛选客户{i:03d}商店", category="other",
                     grade="A" if i % 3 == 0 else "B")
    client = client_for(users["gm"])
    seen = []
    for page in (1, 2):
        response = client.get(reverse("customers:list"), {"grade": "B", "sort": "-name", "page": page})
        seen += [c.name for c in response.context["page"].object_list]
        assert response.context["page"].paginator.count == 80
    assert seen == sorted((f"筛选客户{i:03d}商店" for i in range(120) if i % 3), reverse=True)


@rule("CUS-1")
def test_it_counts_a_new_customer_at_once_although_counts_are_kept(client_for, users, customer,
                                                                     django_capture_on_commit_callbacks):
    client = client_for(users["gm"])
    assert client.get(reverse("customers:list"), {"q": "商贸"}).context["page"].paginator.count == 1
    with django_capture_on_commit_callbacks(execute=True):  # the service's transaction commits
        new_customer(by=users["owner"], name="杭州恒丰商贸公司", category="other", on_duplicate="keep_both")
    response = client.get(reverse("customers:list"), {"q": "商贸"})
    assert response.context["page"].paginator.count == 2
    assert "杭州恒丰商贸公司" in response.text


@rule("INS-2")
def test_it_exports_without_a_query_per_customer(client_for, users, django_assert_max_num_queries):
    for i in range(25):
        new_customer(by=users["owner"], name=f"导出客户{i}号", category="other", developed_by=users["owner"])
    client = client_for(users["gm"])
    client.get(reverse("customers:export"))
    with django_assert_max_num_queries(8):
        response = client.get(reverse("customers:export"))
    assert response.status_code == 200


@rule("CUS-1")
def test_the_customer_list_finds_a_customer_by_the_pinyin_initials_typed(en, users, customer):
    """Typed as on a phone, in capitals or not: SHHF finds 上海恒丰商贸有限公司."""
    client = en(users["owner"])
    for typed in ("SHHF", "shhf", "hfsm"):
        assert customer.name in client.get(reverse("customers:list"), {"q": typed}).text, typed
    assert customer.name not in client.get(reverse("customers:list"), {"q": "XYZQ"}).text


@rule("CUS-8")
@pytest.mark.usefixtures("in_english")
def test_cus8_a_duplicate_in_another_office_tells_who_owns_it_but_not_its_card(client_for, users, customer,
                                                                              outsider_customer, english_client):
    """CUS-8: the check is company-wide. A Shanghai salesperson entering 杭州西湖百货商店 is told
    that a similar customer exists, owned by 王芳 of the Hangzhou office — so she can ask —
    but sees neither its code nor its phone nor its name, and cannot merge into it (before:
    the page showed the other office's card number, name and phone, and offered the merge).
    The same in the import preview and the API's 409."""
    client = client_for(users["owner"])
    outsider = users["outsider"]
    form = {"name": "杭州 西湖百货商店", "category": Category.KEY_RETAILER, "grade": "C", "status": "prospect"}
    response = client.post(reverse("customers:create"), form)
    assert (response.status_code, Customer.objects.count()) == (200, 2)
    page = response.text
    assert 'id="duplicates"' in page and "A customer outside your scope: ask its owner." in page
    assert outsider.display_name in page and outsider_customer.office.name in page
    for secret in (outsider_customer.code, "0571-8888 0202", "杭州西湖百货商店"):
        assert secret not in page
    assert f'value="{outsider_customer.pk}"' not in page

    api = client.post("/api/v1/customers/", {"name": "杭州西湖百货商店", "category": "key_retailer"},
                      content_type="application/json")
    detail = api.json()["detail"]
    assert (api.status_code, api.json()["code"]) == (409, "duplicate")
    assert outsider.display_name in detail and outsider_customer.office.name in detail
    assert outsider_customer.code not in detail and "杭州西湖百货商店" not in detail

    upload = SimpleUploadedFile("customers.csv", "客户名称,客户类别\n杭州西湖百货商店,重点零售商\n".encode(),
                                content_type="text/csv")
    preview = client.post(reverse("customers:import"), {"file": upload})
    assert preview.status_code == 200
    assert 'id="import-duplicates"' in preview.text, preview.text[:3000]
    table = preview.text.split('id="import-duplicates"')[1].split("</table>")[0]
    assert outsider.display_name in table and outsider_customer.office.name in table
    assert outsider_customer.code not in table


@rule("CUS-8")
def test_cus8_a_duplicate_in_the_users_scope_is_shown_in_full_and_can_be_merged(client_for, users, customer):
    page = client_for(users["director"]).post(reverse("customers:create"), {
        "name": "上海 恒丰商贸", "category": Category.WHOLESALER_1, "grade": "C", "status": "prospect",
        "owner": users["owner"].pk}).text
    assert customer.code in page and customer.phone in page and f'value="{customer.pk}"' in page

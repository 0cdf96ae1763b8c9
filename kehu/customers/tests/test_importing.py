"""Import of customer cards from .xlsx/.csv (kehu/customers/importing.py, kehu/core/excel.py)
and the formula-injection guard of the Excel export."""

import csv
import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from conftest import rule
from kehu.core.errors import PermissionDeniedError, ValidationFailed
from kehu.core.excel import read_table, write_xlsx
from kehu.customers import importing
from kehu.customers.models import Customer, CustomerEvent
from kehu.customers.tests.builders import new_customer

pytestmark = pytest.mark.usefixtures("in_english")


@pytest.fixture(autouse=True)
def import_dir(tmp_path, monkeypatch):
    """Previews are kept server-side between the upload and the commit: in a throwaway folder."""
    monkeypatch.setattr(importing, "IMPORT_DIR", tmp_path / "imports")
    return tmp_path / "imports"


def xlsx(rows, name="customers.xlsx"):
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=importing_xlsx_type())


def importing_xlsx_type():
    return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def csv_file(rows, encoding="utf-8", name="customers.csv"):
    text = io.StringIO()
    csv.writer(text).writerows(rows)
    return SimpleUploadedFile(name, text.getvalue().encode(encoding), content_type="text/csv")


def preview(user, upload):
    headers, rows = read_table(upload)
    return importing.import_preview(by=user, headers=headers, rows=rows)


def snapshot():
    return (sorted(Customer.objects.values_list("id", "code", "name", "postcode", "phone", "version")),
            Customer.history.count(), CustomerEvent.objects.count())


HEADERS = ["customer name", "category 类别", "grade 等级", "phone", "postcode"]


# --- preview -------------------------------------------------------------------------------

@rule("CUS-1")
def test_it_previews_good_rows_with_choices_given_as_codes_or_labels(users):
    """A director, who may set grades (CRD-2), imports cards whose choices are codes or labels."""
    upload = xlsx([
        ["customer name", "nature 性质", "category 类别", "grade 等级", "status", "transport modes", "postcode",
         "founding date 开业日期", "registered capital 资本额"],
        ["甲商行", "individual", "agent", "A", "active", "road, rail", "200000", "2010-05-01", 500000],
        ["乙百货", "个体", "代理商", "B", "Active 现有", "Road、Self-pickup", 200001, None, "1234.56"],
        ["丙批发部", "Individual business 个体", "Agent 代理商", "c", "潜在", "", "", None, None],
    ])
    report = preview(users["director"], upload)
    assert report.errors == []
    assert report.unknown_headers == []
    assert report.total == 3
    assert [(line, data["name"], data["nature"], data["category"], data["grade"], data["status"],
             data["transport_modes"]) for line, data, _owner in report.valid] == [
        (2, "甲商行", "individual", "agent", "A", "active", ["road", "rail"]),
        (3, "乙百货", "individual", "agent", "B", "active", ["road", "self_pickup"]),
        (4, "丙批发部", "individual", "agent", "C", "prospect", []),
    ]
    assert [str(data.get("registered_capital")) for _line, data, _owner in report.valid] == ["500000", "1234.56", "None"]
    assert [owner for _line, _data, owner in report.valid] == [users["director"]] * 3
    assert Customer.objects.count() == 0  # a preview writes nothing


@rule("CUS-1")
def test_it_accepts_field_names_and_the_chinese_part_of_labels_as_headers(users):
    upload = csv_file([["name", "性质", "类别", "等级", "phone"],
                       ["甲商行", "集体", "一级批发商", "A", "021-5555 0101"]])
    report = preview(users["director"], upload)
    assert report.errors == []
    [(line, data, _owner)] = report.valid
    assert (line, data["name"], data["nature"], data["category"], data["grade"], data["phone"]) == (
        2, "甲商行", "collective", "wholesaler_1", "A", "021-5555 0101")


@rule("CUS-1")
def test_it_gives_missing_grade_and_status_columns_their_defaults(users):
    report = preview(users["owner"], csv_file([["name", "category"], ["甲商行", "agent"]]))
    assert report.errors == []
    [(_line, data, _owner)] = report.valid
    assert (data["grade"], data["status"]) == ("C", "prospect")


@rule("CUS-1")
def test_it_does_not_guess_between_choices_sharing_an_english_word(users):
    report = preview(users["owner"], csv_file([["name", "category"], ["甲商行", "wholesaler"]]))
    assert report.valid == []
    assert report.errors == [(2, ["category 类别: Value 'wholesaler' is not a valid choice."])]


@rule("CUS-1")
def test_it_reports_every_bad_row_with_its_line_number_and_messages(users):
    upload = xlsx([
        [*HEADERS, "transport modes", "founding date 开业日期", "product lines and share 经营品种及比重", "owner", "其他列"],
        ["好客户", "agent", "A", "021-5555 0101", "200000", "", None, "饮料 60%", "", "x"],
        ["邮编错", "agent", "A", "", "2000", "", None, "", "", ""],
        [None, None, None, None, None, None, None, None, None, None],
        ["", "agent", "Z", "", "", "", None, "", "", ""],
        ["比重错", "emperor", "B", "", "", "飞机", "2999-01-01", "饮料 70%; 零食 40%", "", ""],
        ["外人", "agent", "B", "", "", "", None, "", "outsider", ""],
    ])
    report = preview(users["director"], upload)
    assert [line for line, _data, _owner in report.valid] == [2]
    assert report.unknown_headers == ["其他列"]
    assert report.errors == [
        (3, ["postcode: A postcode has six digits."]),
        (5, ["customer name: This field cannot be blank.",
             "grade 等级: Value 'Z' is not a valid choice."]),
        (6, ["transport modes: unknown value “飞机”",
             "category 类别: Value 'emperor' is not a valid choice.",
             "product lines and share 经营品种及比重: The shares add up to 110%; they can be at most 100%.",
             "founding date 开业日期: This date is in the future."]),
        (7, ["Owner “outsider” is not a salesperson in your scope."]),
    ]


@rule("CUS-1")
def test_a_date_that_is_no_date_is_a_line_error_and_the_other_rows_still_import(users):
    """A date cell with words in it (or a month that does not exist) is reported on its line
    like any bad value; it used to stop the whole preview with a server error."""
    report = preview(users["director"], csv_file([
        ["name", "founding date 开业日期", "developed on 开发日期"],
        ["甲商行", "next spring", "2026-13-45"],
        ["乙商行", "2010-05-03", ""],
    ]))
    assert [line for line, _data, _owner in report.valid] == [3]
    assert [line for line, _messages in report.errors] == [2]
    messages = report.errors[0][1]
    assert len(messages) == 2 and all("date" in m.lower() for m in messages)
    assert messages[0].startswith("founding date 开业日期:")


@rule("CUS-5")
def test_it_lets_a_director_import_for_salespeople_of_the_office(users):
    report = preview(users["director"], csv_file([["name", "category", "owner"], ["甲商行", "agent", "Teammate"],
                                                  ["乙商行", "agent", ""]]))
    assert report.errors == []
    assert [owner for _line, _data, owner in report.valid] == [users["teammate"], users["director"]]


@rule("CUS-8")
def test_it_flags_rows_like_existing_customers(users, customer, outsider_customer):
    upload = csv_file([
        ["name", "category", "phone", "tax no. 税号"],
        ["上海 恒丰商贸", "agent", "", ""],  # same name, other spelling
        ["全新客户", "agent", "057188880202", ""],  # same phone as the Hangzhou customer
        ["另一个新客户", "agent", "", ""],
    ])
    report = preview(users["owner"], upload)
    assert report.errors == []
    assert report.duplicates == [(2, "上海 恒丰商贸", [customer]), (3, "全新客户", [outsider_customer])]


@rule("CUS-8")
def test_it_reports_a_row_that_repeats_an_earlier_row_of_the_file(users):
    upload = csv_file([
        ["name", "category", "phone", "tax no. 税号"],
        ["上海恒丰商贸有限公司", "agent", "021-5555 0101", ""],
        ["杭州西湖百货", "agent", "", "9133 0100"],
        ["上海恒丰商贸", "agent", "", ""],
        ["别的名字", "agent", "(021) 55550101", ""],
        ["第三个名字", "agent", "", "91330100"],
    ])
    report = preview(users["owner"], upload)
    assert [line for line, _data, _owner in report.valid] == [2, 3]
    assert report.errors == [
        (4, ["Same customer as line 2 of this file."]),
        (5, ["Same customer as line 2 of this file."]),
        (6, ["Same customer as line 3 of this file."]),
    ]


@rule("CUS-1")
def test_it_refuses_a_file_without_a_name_column(users):
    with pytest.raises(ValidationFailed) as exc:
        preview(users["owner"], csv_file([["phone", "category"], ["021-1", "agent"]]))
    assert exc.value.message == "The file has no column for the customer name (客户名称 / customer name)."


@rule("CUS-1")
@pytest.mark.parametrize("role", ["service", "finance"])
def test_it_refuses_imports_by_read_only_roles(users, role, import_dir):
    with pytest.raises(PermissionDeniedError):
        preview(users[role], csv_file([["name", "category"], ["甲商行", "agent"]]))
    assert not import_dir.exists() or list(import_dir.iterdir()) == []


# --- commit --------------------------------------------------------------------------------

MIXED = [
    ["name", "category", "grade", "phone", "postcode"],
    ["甲商行", "agent", "A", "021-1111 0001", "200001"],
    ["乙百货", "代理商", "B", "021-1111 0002", "20"],
    ["丙批发部", "agent", "C", "021-1111 0003", ""],
]


@rule("CUS-1")
def test_it_imports_the_valid_rows_when_asked(users, offices, import_dir):
    report = preview(users["director"], xlsx(MIXED))
    result = importing.import_commit(by=users["director"], token=report.token, mode="valid_only", on_duplicate="skip")
    assert (result.created, result.merged, result.skipped, len(result.errors)) == (2, 0, 0, 1)
    rows = list(Customer.objects.order_by("code").values_list(
        "code", "name", "grade", "phone", "postcode", "owner_id", "office_id", "filled_by_id", "name_key",
        "phone_key", "completeness", "version"))
    assert rows == [
        ("KH000001", "甲商行", "A", "021-1111 0001", "200001", users["director"].pk, offices["shanghai"].pk,
         users["director"].pk, "甲", "02111110001", 14, 1),
        ("KH000002", "丙批发部", "C", "021-1111 0003", "", users["director"].pk, offices["shanghai"].pk,
         users["director"].pk, "丙", "02111110003", 11, 1),
    ]
    history = Customer.history.order_by("code")
    # The history rows are copies of the imported cards (core.history), by the importer.
    assert [(h.code, h.name, h.phone, h.owner_id, h.history_type, h.history_user_id, h.history_change_reason)
            for h in history] == [
        ("KH000001", "甲商行", "021-1111 0001", users["director"].pk, "+", users["director"].pk, "import"),
        ("KH000002", "丙批发部", "021-1111 0003", users["director"].pk, "+", users["director"].pk, "import")]
    assert list(import_dir.iterdir()) == []  # the token is used up


@rule("CUS-1")
def test_it_imports_nothing_when_any_row_is_bad_if_asked(users, customer):
    report = preview(users["director"], xlsx(MIXED))
    before = snapshot()
    with pytest.raises(ValidationFailed) as exc:
        importing.import_commit(by=users["director"], token=report.token, mode="all_or_nothing", on_duplicate="skip")
    assert exc.value.message == "1 rows have errors; as you chose, nothing was imported."
    assert snapshot() == before
    # the code sequence was not touched either
    assert new_customer(by=users["owner"], name="下一家", category="agent").code == "KH000002"


@rule("CUS-1")
def test_it_imports_everything_all_or_nothing_when_every_row_is_good(users):
    rows = [MIXED[0], MIXED[1], MIXED[3]]
    report = preview(users["director"], csv_file(rows, encoding="gb18030"))
    result = importing.import_commit(by=users["director"], token=report.token, mode="all_or_nothing",
                                     on_duplicate="skip")
    assert (result.created, result.merged, result.skipped, len(result.errors)) == (2, 0, 0, 0)
    assert list(Customer.objects.order_by("code").values_list("name", flat=True)) == ["甲商行", "丙批发部"]


@pytest.fixture
def similar_file(users, customer):
    upload = csv_file([["name", "category", "postcode", "tax no. 税号"],
                       ["上海恒丰商贸", "agent", "201203", "91310115MA1FL2XX3X"],
                       ["全新客户", "agent", "", ""]])
    return preview(users["owner"], upload)


def commit_counts(users, report, on_duplicate: str) -> tuple[int, int, int, int]:
    """Commit a previewed import of the valid rows: (created, merged, skipped, bad rows)."""
    result = importing.import_commit(by=users["owner"], token=report.token, mode="valid_only",
                                     on_duplicate=on_duplicate)
    return result.created, result.merged, result.skipped, len(result.errors)


def codes_and_names() -> list[tuple[str, str]]:
    return list(Customer.objects.order_by("code").values_list("code", "name"))


@rule("CUS-8")
def test_it_skips_rows_like_existing_customers_when_asked(users, customer, similar_file):
    assert commit_counts(users, similar_file, "skip") == (1, 0, 1, 0)
    assert codes_and_names() == [("KH000001", "上海恒丰商贸有限公司"), ("KH000002", "全新客户")]
    customer.refresh_from_db()
    assert (customer.postcode, customer.version) == ("", 1)


@rule("CUS-8")
def test_it_keeps_both_when_asked_and_records_the_decision(users, customer, similar_file):
    assert commit_counts(users, similar_file, "keep_both") == (2, 0, 0, 0)
    assert codes_and_names() == [("KH000001", "上海恒丰商贸有限公司"), ("KH000002", "上海恒丰商贸"),
                                 ("KH000003", "全新客户")]
    event = CustomerEvent.objects.get()
    assert (event.customer.code, event.kind, event.by, event.message) == (
        "KH000002", CustomerEvent.Kind.DUPLICATE_KEPT, users["owner"], "Kept although similar to KH000001")


@rule("CUS-8")
def test_it_merges_into_the_existing_card_filling_only_blanks_when_asked(users, customer, similar_file):
    assert commit_counts(users, similar_file, "merge") == (1, 1, 0, 0)
    assert Customer.objects.count() == 2
    customer.refresh_from_db()
    assert (customer.name, customer.category, customer.postcode, customer.tax_no, customer.version) == (
        "上海恒丰商贸有限公司", "wholesaler_1", "201203", "91310115MA1FL2XX3X", 2)
    assert CustomerEvent.objects.get().kind == CustomerEvent.Kind.MERGED


@rule("CUS-8")
def test_it_validates_again_at_commit_time(users):
    report = preview(users["owner"], csv_file([["name", "category"], ["甲商行", "agent"], ["乙商行", "agent"]]))
    new_customer(by=users["teammate"], name="甲商行", category="agent")
    assert commit_counts(users, report, "skip") == (1, 0, 1, 0)


@rule("CUS-1")
@pytest.mark.parametrize("token", ["00000000-0000-4000-8000-000000000000", "not-a-token", "../../etc/passwd", ""])
def test_it_refuses_an_unknown_or_expired_token(users, token):
    with pytest.raises(ValidationFailed) as exc:
        importing.import_commit(by=users["owner"], token=token, mode="valid_only", on_duplicate="skip")
    assert exc.value.message == "This import has expired or was already done; upload the file again."
    assert Customer.objects.count() == 0


@rule("CUS-1")
def test_it_refuses_a_token_used_twice_or_by_another_user(users):
    report = preview(users["owner"], csv_file([["name", "category"], ["甲商行", "agent"]]))
    with pytest.raises(PermissionDeniedError):
        importing.import_commit(by=users["teammate"], token=report.token, mode="valid_only", on_duplicate="skip")
    assert Customer.objects.count() == 0
    importing.import_commit(by=users["owner"], token=report.token, mode="valid_only", on_duplicate="skip")
    with pytest.raises(ValidationFailed):
        importing.import_commit(by=users["owner"], token=report.token, mode="valid_only", on_duplicate="skip")
    assert Customer.objects.count() == 1


@rule("CUS-1")
@pytest.mark.parametrize(("mode", "on_duplicate"), [("everything", "skip"), ("valid_only", "overwrite")])
def test_it_refuses_an_unknown_choice_at_commit(users, mode, on_duplicate):
    report = preview(users["owner"], csv_file([["name", "category"], ["甲商行", "agent"]]))
    with pytest.raises(ValidationFailed):
        importing.import_commit(by=users["owner"], token=report.token, mode=mode, on_duplicate=on_duplicate)
    assert Customer.objects.count() == 0


@rule("CUS-1")
def test_it_round_trips_an_export_of_the_import_columns(users):
    headers = [importing.column_label(name) for name in ("name", "category", "grade", "postcode")]
    data = write_xlsx(headers, [["甲商行", "agent", "A", "200001"]])
    report = preview(users["director"], SimpleUploadedFile("export.xlsx", data))
    assert report.errors == []
    assert [(line, d["name"], d["category"], d["grade"], d["postcode"]) for line, d, _o in report.valid] == [
        (2, "甲商行", "agent", "A", "200001")]


@rule("CUS-8")
def test_it_skips_instead_of_merging_into_a_customer_outside_the_scope(users, customer, outsider_customer):
    upload = csv_file([["name", "category", "postcode"],
                       ["杭州西湖百货商店", "agent", "310000"],
                       ["上海恒丰商贸", "agent", "201203"]])
    report = preview(users["owner"], upload)
    result = importing.import_commit(by=users["owner"], token=report.token, mode="valid_only", on_duplicate="merge")
    assert (result.created, result.merged, result.skipped, len(result.errors)) == (0, 1, 1, 0)
    outsider_customer.refresh_from_db()
    customer.refresh_from_db()
    assert (outsider_customer.postcode, outsider_customer.version) == ("", 1)
    assert (customer.postcode, customer.version) == ("201203", 2)


@rule("INS-2")
def test_it_rechecks_the_owner_at_commit(users):
    upload = xlsx([["name", "category", "owner"], ["上海新桥五金店", "other", "teammate"],
                   ["上海老街茶庄", "other", ""]])
    report = preview(users["director"], upload)
    assert [line for line, _data, _owner in report.valid] == [2, 3]
    users["teammate"].is_active = False
    users["teammate"].save()
    result = importing.import_commit(by=users["director"], token=report.token, mode="valid_only",
                                     on_duplicate="skip")
    assert (result.created, result.merged, result.skipped, len(result.errors)) == (1, 0, 0, 1)
    assert list(Customer.objects.values_list("name", "owner__username")) == [("上海老街茶庄", "director")]


def _card_values():
    """Every field an import may write, per customer: what a re-import must leave as it is."""
    fields = [*importing.COLUMNS[2:], "owner", "version"]
    return {c.pk: {f: getattr(c, f) for f in fields} for c in Customer.objects.order_by("pk")}


@rule("CUS-8")
@rule("INS-2")
def test_an_export_re_imports_as_an_update_with_no_errors_and_no_changes(users, client_for):
    """CUS-8 / INS-2: the customer export, re-imported as an update (similar rows merged), is
    read without one error and changes nothing — empty lists, phones starting with +, addresses
    starting with - or =, Chinese text and money included."""
    owner = users["owner"]
    new_customer(by=owner, name="上海恒丰商贸有限公司", category="wholesaler_1", phone="+86 21 5555 1234",
                 address="-3号楼 201室", transport_modes=[], annual_turnover=Decimal("1234567.89"),
                 product_lines="饮料 60%; 零食 40%", founded_on=date(2010, 5, 3), payment_method="transfer")
    new_customer(by=owner, name="杭州=西湖商行", category="agent", phone="-0571 8888 0202", fax="+86 (571) 8888",
                 address="=A座 5楼", transport_modes=["road", "rail"], registered_capital=Decimal("500000.00"),
                 employee_count=12, shop_area=Decimal("85.5"), developed_by=owner,
                 business_philosophy="+稳健经营\n-不赊欠", tax_no="91310115MA1FL2XX3X")
    new_customer(by=owner, name="@苏州百货", category="key_retailer", address="'-引号开头的地址",
                 transport_modes=["water"], payment_days=45, credit_problems="=SUM(A1) 不是公式")
    before, history = _card_values(), (Customer.history.count(), CustomerEvent.objects.count())
    with translation.override("zh-hans"):
        response = client_for(owner).get("/customers/export.xlsx")
    assert response.status_code == 200
    report = preview(owner, SimpleUploadedFile("customers.xlsx", response.content))
    assert report.errors == []
    assert len(report.valid) == 3
    result = importing.import_commit(by=owner, token=report.token, mode="all_or_nothing", on_duplicate="merge")
    assert (result.created, result.merged, result.skipped, len(result.errors)) == (0, 3, 0, 0)
    assert _card_values() == before
    assert (Customer.history.count(), CustomerEvent.objects.count()) == history


@rule("CRD-2")
def test_crd2_a_salesperson_imports_no_grade_or_payment_terms(users, import_dir):
    """CRD-2: grade and 账期 are credit decisions: a salesperson's file that sets them has those
    lines refused with a message, and nothing of them is imported; grade C (the default) and an
    empty 账期 pass. A director imports the same file."""
    rows = [["name", "category", "grade", "payment terms (days) 账期"],
            ["甲商行", "agent", "A", ""],
            ["乙百货", "agent", "C", "365"],
            ["丙批发部", "agent", "C", ""]]
    report = preview(users["owner"], csv_file(rows))
    message = ("are credit decisions that your role cannot set: ask for them with a credit request, "
               "or ask your manager.")
    assert [line for line, _data, _owner in report.valid] == [4]
    assert [(line, [m.replace(message, "…") for m in messages]) for line, messages in report.errors] == [
        (2, ["grade 等级: The grade and the payment terms (账期) …"]),
        (3, ["payment terms (days) 账期: The grade and the payment terms (账期) …"])]
    result = importing.import_commit(by=users["owner"], token=report.token, mode="valid_only", on_duplicate="skip")
    assert result.created == 1
    assert list(Customer.objects.values_list("name", "grade", "payment_days")) == [("丙批发部", "C", None)]
    rows[3][0] = "丁批发部"
    report = preview(users["director"], csv_file(rows))
    assert (report.errors, [line for line, _d, _o in report.valid]) == ([], [2, 3, 4])
    # A row like an existing card is judged at the commit: kept as a new card, its grade is refused.
    report = preview(users["owner"], csv_file([rows[0], ["丙批发部", "agent", "A", ""]]))
    assert (report.errors, [line for line, _d, _o in report.valid]) == ([], [2])
    with pytest.raises(ValidationFailed, match="Line 2: grade 等级: The grade and the payment terms"):
        importing.import_commit(by=users["owner"], token=report.token, mode="all_or_nothing",
                                on_duplicate="keep_both")
    assert Customer.objects.count() == 1


@rule("INS-2")
def test_ins2_an_over_long_value_is_refused_with_its_line(users):
    """INS-2: a value longer than its field is refused as given, with its line, before the
    duplicate checks; the other rows are imported."""
    report = preview(users["owner"], csv_file([["name", "category", "phone"],
                                               ["甲" * 201, "agent", ""], ["乙商行", "agent", "1" * 31], ["丙商行", "agent", ""]]))
    assert [line for line, _data, _owner in report.valid] == [4]
    assert report.errors == [(2, ["customer name longer than 200 characters (it has 201)."]),
                             (3, ["phone longer than 30 characters (it has 31)."])]

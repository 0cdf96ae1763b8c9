"""Pure rules of the profile card (kehu/customers/rules.py) and the matching keys of
kehu/core/text.py they are built on."""

from decimal import Decimal

import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import rule
from kehu.core.text import code_key, company_key, fold, phone_key
from kehu.customers import rules
from kehu.customers.models import Customer


@rule("CUS-8")
@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("上海 恒丰商贸有限公司", "上海恒丰商贸"),
        ("上海恒丰商贸", "上海恒丰商贸"),
        ("上海恒丰商贸股份有限公司", "上海恒丰商贸"),
        ("上海恒丰商贸有限责任公司", "上海恒丰商贸"),
        ("上海恒丰商贸（集团）有限公司", "上海恒丰商贸"),
        ("　上海　恒丰　商贸　公司", "上海恒丰商贸"),
        ("ＡＢＣ", "abc"),
        ("ＡＢＣ贸易有限公司", "abc贸易"),
        ("Acme Trading Co., Ltd.", "acmetrading"),
        ("", ""),
        (None, ""),
    ],
)
def test_it_normalises_company_names_for_duplicate_matching(name, key):
    assert company_key(name) == key


@rule("CUS-8")
def test_it_matches_the_same_company_written_with_spaces_and_a_suffix():
    assert company_key("上海 恒丰商贸有限公司") == company_key("上海恒丰商贸")
    assert company_key("上海恒丰商贸") != company_key("上海恒丰百货")


@rule("CUS-8")
@pytest.mark.parametrize("name", ["有限公司", "股份有限公司", "集团有限公司", "公司"])
def test_it_gives_an_empty_key_to_a_name_that_is_only_a_suffix(name):
    assert company_key(name) == ""


@rule("CUS-8")
def test_it_folds_full_width_letters_and_digits_and_drops_spaces():
    assert fold("ＡＢＣ １２３") == "abc123"
    assert fold(" Ａb\u3000C ") == "abc"
    assert fold(None) == ""


@rule("CUS-8")
@pytest.mark.parametrize(
    ("phone", "key"),
    [
        ("021-5555 0101", "02155550101"),
        ("(021) 55550101", "02155550101"),
        ("０２１－５５５５　０１０１", "02155550101"),
        ("+86 138 0013 8000", "13800138000"),
        ("0086-13800138000", "13800138000"),
        ("138-0013-8000", "13800138000"),
        ("", ""),
        (None, ""),
    ],
)
def test_it_normalises_phone_numbers_to_digits(phone, key):
    assert phone_key(phone) == key


@rule("CUS-8")
@pytest.mark.parametrize(
    ("code", "key"),
    [
        ("91310000 MA1FL2XX3X", "91310000MA1FL2XX3X"),
        ("９１３１００００ｍａ１ｆｌ２ｘｘ３ｘ", "91310000MA1FL2XX3X"),
        ("9131-0000-ma1f", "91310000MA1F"),
        ("", ""),
    ],
)
def test_it_normalises_registration_and_tax_numbers(code, key):
    assert code_key(code) == key


@rule("CUS-8")
def test_it_builds_all_three_match_keys():
    assert rules.match_keys(name="上海 恒丰商贸有限公司", phone="021-5555 0101", tax_no="９１ab") == {
        "name_key": "上海恒丰商贸", "phone_key": "02155550101", "tax_key": "91AB",
    }


@rule("CUS-1")
@pytest.mark.parametrize(
    ("text", "lines"),
    [
        ("饮料 60%; 零食 40%", [("饮料", Decimal("60")), ("零食", Decimal("40"))]),
        ("饮料：60％\n零食 30", [("饮料", Decimal("60")), ("零食", Decimal("30"))]),
        ("饮料 33.5%，零食 20%、日化 10%", [("饮料", Decimal("33.5")), ("零食", Decimal("20")), ("日化", Decimal("10"))]),
        ("饮料 100%", [("饮料", Decimal("100"))]),
        ("", []),
        (None, []),
    ],
)
def test_it_parses_product_lines_and_their_shares(text, lines):
    assert rules.parse_product_lines(text) == lines


@rule("CUS-1")
def test_it_refuses_product_line_shares_adding_up_to_more_than_100_percent():
    with translation.override("en"), pytest.raises(ValueError) as exc:
        rules.parse_product_lines("饮料 60%; 零食 50%")
    assert str(exc.value) == "The shares add up to 110%; they can be at most 100%."


@rule("CUS-1")
def test_it_refuses_a_single_share_above_100_percent():
    with translation.override("en"), pytest.raises(ValueError) as exc:
        rules.parse_product_lines("饮料 120%")
    assert str(exc.value) == "The share of “饮料” is above 100%."


@rule("CUS-1")
def test_it_refuses_a_product_line_without_a_share():
    with translation.override("en"), pytest.raises(ValueError) as exc:
        rules.parse_product_lines("饮料 60%; 零食")
    assert str(exc.value) == "“零食” has no share: write the product line and its share, e.g. 饮料 60%."


@rule("CUS-1")
def test_it_reports_card_errors_for_bad_product_lines_transport_and_dates():
    import datetime

    card = Customer(name="x", category="agent", product_lines="饮料 70%; 零食 40%", transport_modes=["air"],
                    founded_on=datetime.date(1850, 1, 1), developed_on=datetime.date(2999, 1, 1))
    with translation.override("en"):
        errors = rules.card_errors(card, transport_choices={"rail", "road"})
    assert errors == {
        "product_lines": "The shares add up to 110%; they can be at most 100%.",
        "transport_modes": "Choose transport modes from the list.",
        "founded_on": "Enter a founding date after 1900.",
        "developed_on": "This date is in the future.",
    }


def _full_card(**overrides):
    import datetime

    values = {
        "name": "上海恒丰商贸有限公司", "address": "上海市浦东新区张江路1号", "phone": "021-55550101",
        "postcode": "201203", "nature": "collective", "category": "wholesaler_1", "grade": "A",
        "registration_no": "310115000123456", "tax_no": "91310115MA1FL2XX3X", "bank": "工商银行张江支行",
        "bank_account": "1001 2345 6789", "registered_capital": Decimal("5000000"),
        "working_capital": Decimal("800000"), "founded_on": datetime.date(2005, 3, 1),
        "shop_area": Decimal("120.0"), "warehouse_area": Decimal("800.0"), "employee_count": 35,
        "premises": "rented", "vehicles": 4, "transport_modes": ["road"], "payment_method": "transfer",
        "annual_turnover": Decimal("30000000"), "product_lines": "饮料 60%; 零食 40%",
        "coverage_area": "浦东新区", "developed_on": datetime.date(2020, 5, 6), "developed_by_id": 1,
        "service_area": "浦东", "sales_capability": "强", "growth_potential": "大", "business_philosophy": "稳健",
        "sales_results": "良好", "cooperation_attitude": "积极", "credit_status": "良好", "trade_terms": "月结30天",
    }
    values.update(overrides)
    return Customer(**values)


@rule("CUS-4")
def test_it_counts_a_card_with_every_field_and_both_key_people_as_complete():
    card = _full_card()
    assert rules.missing_fields(card, {"in_charge", "buyer", "seller"}) == []
    assert rules.completeness(card, {"in_charge", "buyer"}) == 100


@rule("CUS-4")
def test_it_lists_what_is_missing_in_card_order_with_labels():
    card = _full_card(postcode="", transport_modes=[], developed_by_id=None)
    with translation.override("en"):
        missing = rules.missing_fields(card, {"in_charge"})
    assert missing == [
        ("postcode", "postcode"),
        ("transport_modes", "transport modes"),
        ("developed_by", "developed by 开发人"),
        ("people:buyer", "Key person: buyer 采购人"),
    ]
    # 36 items in all (34 fields + 2 key people); 4 missing → 32/36 = 88.9 → 89
    assert rules.completeness(card, {"in_charge"}) == 89


@rule("CUS-4")
def test_it_rates_a_fresh_card_with_name_category_and_grade_at_8_percent():
    card = Customer(name="新客户", category="agent")
    missing = rules.missing_fields(card, set())
    assert len(missing) == 33
    assert [name for name, _label in missing][:3] == ["address", "phone", "postcode"]
    assert rules.completeness(card, set()) == 8  # 3 of 36


@rule("CUS-4")
def test_it_counts_zero_as_filled_but_empty_text_and_lists_as_missing():
    card = _full_card(vehicles=0, employee_count=0, bank="")
    assert [name for name, _label in rules.missing_fields(card, {"in_charge", "buyer"})] == ["bank"]


@rule("CUS-8")
def test_it_puts_names_codes_phones_and_key_people_into_the_folded_search_text():
    card = Customer(name="上海恒丰商贸有限公司", code="KH000001", phone="021-5555 0101")
    text = rules.search_text(card, [("陈ＸＩＡ", "138 0013 8000"), ("王芳", "")])
    assert text == "上海恒丰商贸有限公司|shhfsmyxgs|kh000001|021-55550101|02155550101|陈xia|13800138000|13800138000|王芳"


@rule("CUS-1")
@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["上海", "重庆", "长春", "长安", "银行", "行", "重", "长", "乐", "有限公司", "股份", "商贸",
                                 "贸易", "光汇", "恒丰", "朝阳", "支行", "经销部", "的", "地", "A", "b2", "Ｘ", " ", "-", "（",
                                 "）", "·", "〇", "廿", "ß", "😀", "𠮷", "&"]), max_size=8).map("".join)
       | st.text(max_size=12))
def test_pinyin_initials_read_word_by_word_equal_pypinyins_reading_of_the_whole_name(name):
    """The initials are read word by word with each word's reading kept (an import reads
    100,000 names); polyphones in their words (重庆 chongqing, 银行 yinhang, 长春 changchun) and
    any other text read as pypinyin reads the whole name."""
    from pypinyin import Style, lazy_pinyin

    assert rules.initials(name) == "".join(lazy_pinyin(name, style=Style.FIRST_LETTER, errors="ignore"))


@rule("CUS-1")
def test_a_customer_is_found_by_the_pinyin_initials_of_its_name():
    """SHGH finds 上海光汇…: what Chinese CRMs offer, quicker to type on a phone."""
    from types import SimpleNamespace

    from kehu.customers.rules import initials, search_text

    assert initials("上海光汇商贸") == "shghsm"
    card = SimpleNamespace(name="上海光汇商贸有限公司", code="KH000001", phone="")
    assert "shgh" in search_text(card, [])

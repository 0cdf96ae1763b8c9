"""The words a Chinese sales or finance person reads (issue 12): docs/glossary.md fixes one
Chinese word per term and the catalogue follows it; words that mislead (挂账 for money received
in advance, 推销员 beside 业务员, 发票 for internal receivables, 英语 in the language menu) are
used nowhere; every dropdown's empty option reads 请选择; a payment's method cannot be
赊销（月结）."""

import re
from datetime import date
from importlib import import_module
from pathlib import Path

import polib
import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import translation

from conftest import rule

KEHU = Path(__file__).resolve().parents[2]
CATALOGUE = KEHU / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
GLOSSARY = KEHU.parent / "docs" / "glossary.md"
BANNED = ["挂账", "推销员", "发票", "开票", "英语", "---------"]


def glossary_terms() -> list[tuple[str, str, str]]:
    """(English, context, 中文) of the table under "## Terms" in docs/glossary.md."""
    text = GLOSSARY.read_text(encoding="utf-8").split("## Terms", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[0] not in ("中文", "") and not set(cells[0]) <= {"-"}:
            rows.append((cells[1], cells[2], cells[0]))
    return rows


@rule("PLT-1")
def test_glossary_the_catalogue_uses_the_glossarys_word_for_each_term():
    po = polib.pofile(str(CATALOGUE))
    terms = glossary_terms()
    assert len(terms) >= 40
    checked, wrong = 0, []
    for english, context, chinese in terms:
        for entry in po:
            if entry.msgid == english and (entry.msgctxt or "") == context:
                checked += 1
                if entry.msgstr != chinese:
                    wrong.append((english, context, entry.msgstr, chinese))
    assert wrong == []
    assert checked >= 40  # the glossary's terms are the catalogue's strings, not words of their own


@rule("PLT-1")
@pytest.mark.parametrize("word", BANNED)
def test_glossary_no_translation_uses_a_word_the_glossary_replaced(word):
    po = polib.pofile(str(CATALOGUE))
    using = [e.msgid for e in po if word in e.msgstr or any(word in s for s in e.msgstr_plural.values())]
    assert using == []


@pytest.mark.django_db
@rule("PLT-1")
def test_glossary_the_language_menu_names_english_in_english(client_for, users):
    page = client_for(users["owner"]).get(reverse("customers:list"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    menu = re.search(r'<select[^>]*id="language-switch".*?</select>', page.text, re.S).group(0)
    assert re.findall(r"<option[^>]*>([^<]+)</option>", menu) == ["简体中文", "English"]


@pytest.mark.django_db
@rule("PLT-1")
@pytest.mark.parametrize(("route", "with_id", "query", "role", "empty_option"), [
    ("customers:create", False, "", "owner", True),       # model choices with a blank (category, nature, …)
    ("customers:list", False, "", "director", True),      # the hand-over's successor, a hand-written select
    ("sales:order_create", False, "", "owner", True),     # the customer and product selects
    ("credit:card_edit", True, "", "owner", True),        # the card's choices (payment attitude, …)
    ("receivables:payment_create", False, "?customer=", "finance", False),
    ("credit:request_limit", True, "", "owner", False),
])
def test_glossary_every_dropdown_starts_with_choose_not_dashes(client_for, users, customer, route, with_id, query,
                                                               role, empty_option):
    url = reverse(route, args=[customer.pk] if with_id else []) + (f"{query}{customer.pk}" if query else "")
    page = client_for(users[role]).get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 200, url
    assert "---------" not in page.text
    if empty_option:
        assert re.search(r'<option value=""( selected)?>请选择</option>', page.text)


@rule("PLT-1")
def test_glossary_no_template_writes_the_dashes_by_hand():
    offenders = [str(p.relative_to(KEHU)) for p in KEHU.rglob("templates/**/*.html") if "---------" in p.read_text()]
    assert offenders == []


@pytest.mark.django_db
@rule("AR-1")
def test_ar1_a_payment_cannot_be_recorded_as_a_credit_sale(client_for, users, customer):
    from kehu.core.errors import ValidationFailed
    from kehu.receivables import services
    from kehu.receivables.models import Payment

    page = client_for(users["finance"]).get(f"{reverse('receivables:payment_create')}?customer={customer.pk}",
                                            HTTP_ACCEPT_LANGUAGE="zh-hans")
    method = re.search(r'<select name="method".*?</select>', page.text, re.S).group(0)
    assert "银行转账" in method
    assert 'value="credit"' not in method and "赊销" not in method
    with pytest.raises(ValidationFailed, match="Choose how the customer paid|请选择客户的付款方式"):
        services.payment_post(by=users["finance"], customer=customer, amount="100", method="credit")
    assert Payment.objects.count() == 0


@pytest.mark.django_db
@rule("AR-1")
def test_ar1_payments_recorded_as_credit_sales_are_kept_as_other_with_a_note(users, customer):
    """The data migration (receivables 0004): the row keeps its money and says what it was."""
    from kehu.receivables import services
    from kehu.receivables.models import Payment

    paid = services.payment_post(by=users["finance"], customer=customer, amount="100", method="cash",
                                 received_on=date.today(), note="月结款")
    Payment.objects.filter(pk=paid.pk).update(method="credit")  # as an earlier version let it be written
    migration = import_module("kehu.receivables.migrations.0004_payment_method_is_how_money_came")
    migration.credit_to_other(apps, None)
    paid.refresh_from_db()
    with translation.override("en"):
        assert (paid.method, paid.note, paid.amount, paid.get_method_display()) == (
            "other", "月结款 · 原登记的付款方式：赊销（月结）", 100, "Other")

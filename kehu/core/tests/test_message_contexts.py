"""A short English string reused with two meanings gives wrong Chinese (issue 12): the date
boxes of the returns analysis read 原负责业务员 / 新负责业务员 because "from" and "to" were also
the reassignment log's columns, and a promise "¥40,474.60 by 2026-03-08" read 操作人.

The rule, mechanical: a one-word English msgid (by, from, to, name, due, credit, …) referenced
from more than one source file must carry a context (pgettext / msgctxt), unless it is a term
of docs/glossary.md (its one meaning fixed there) or on the allow-list below, each with the
reason its meaning is the same wherever it appears. Longer strings name their thing
("due date", "ordered from") and are not held to it."""

import re
from datetime import timedelta
from pathlib import Path

import polib
import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import rule
from kehu.core.tests.test_glossary import glossary_terms

KEHU = Path(__file__).resolve().parents[2]
CATALOGUE = KEHU / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"

# One word, one meaning in every file that uses it. Grouped by why.
SAME_EVERYWHERE = {
    "a button, page title or menu entry naming the same action or page wherever it appears": [
        "Kehu", "Save", "Cancel", "Edit", "Search", "Import", "Approve", "Customers", "Orders",
        "Invoices", "Payments", "Products", "Returns", "Timeline", "Today", "Credit", "Loading…", "Order",
        "Invoice", "Receipt", "Total", "Required.", "Yes", "No", "No.", "Touches", "Referrals",
    ],
    "a field of one kind of record, shown by its form, list, print and export with the same meaning": [
        "code", "kind", "role", "phone", "address", "postcode", "fax", "employees", "premises", "vehicles",
        "gender", "married", "note", "reason", "reasons", "comment", "decision", "level", "status", "date", "amount",
        "quantity", "unit", "specification", "reference", "channel", "outcome", "follow-up", "total", "net",
        "returned", "balance", "collected", "credited", "paid", "settled", "active", "at", "line", "period",
        "sort", "problems", "returns", "waiting", "payment", "purpose", "notes", "latitude", "longitude",
        "category", "referrals", "contacted",
    ],
    "a cell's answer, in the list and its export alike": ["yes"],
    "a status of one kind of record (each kind's statuses are distinct strings)": [
        "Open", "Overdue", "Paid", "Cancelled", "Reversed", "open", "done",
    ],
}
ALLOWED = {word for words in SAME_EVERYWHERE.values() for word in words}


def one_word_strings_used_in_several_files(po) -> dict[str, list[str]]:
    found = {}
    for entry in po:
        if entry.msgctxt or entry.msgid_plural or entry.obsolete:
            continue
        files = sorted({path for path, _line in entry.occurrences})
        if len(entry.msgid.split()) == 1 and len(files) > 1:
            found[entry.msgid] = files
    return found


@rule("PLT-1")
def test_glossary_every_reused_one_word_string_has_a_context_or_one_meaning():
    po = polib.pofile(str(CATALOGUE))
    terms = {english for english, context, _zh in glossary_terms() if not context}
    unexplained = {msgid: files for msgid, files in one_word_strings_used_in_several_files(po).items()
                   if msgid not in ALLOWED and msgid not in terms}
    assert unexplained == {}, (
        "one-word strings used from several files without a context: give each use a pgettext context, "
        f"or allow the word in {__name__} with the reason its meaning is the same everywhere: {unexplained}")


@rule("PLT-1")
def test_glossary_the_allow_list_names_only_words_still_reused():
    """An allowance that no longer applies is taken off, so that the list stays short and true."""
    po = polib.pofile(str(CATALOGUE))
    assert sorted(ALLOWED - set(one_word_strings_used_in_several_files(po))) == []


@rule("PLT-1")
@pytest.mark.parametrize(("context", "msgid", "chinese"), [
    ("reassignment", "from", "原负责业务员"), ("date range", "from", "起始日期"),
    ("reassignment", "to", "新负责业务员"), ("date range", "to", "截止日期"),
    ("person who did it", "by", "操作人"), ("deadline", "by", "最迟于"),
    ("person", "name", "姓名"), ("organisation", "name", "名称"),
    ("amount due", "due", "到期应收"),
    ("ledger column", "credit", "贷方"), ("credit request", "Withdrawn", "已撤回"), ("product", "Withdrawn", "已下架"),
])
def test_glossary_each_meaning_of_a_short_string_has_its_own_chinese(context, msgid, chinese):
    entry = polib.pofile(str(CATALOGUE)).find(msgid, msgctxt=context)
    assert entry is not None and entry.msgstr == chinese


@pytest.mark.django_db
@rule("PLT-1")
def test_glossary_the_returns_analysis_date_boxes_do_not_read_as_the_reassignment_log(client_for, users):
    page = client_for(users["director"]).get(reverse("sales:returns_analysis"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 200
    assert "起始日期" in page.text and "截止日期" in page.text
    assert "原负责业务员" not in page.text and "新负责业务员" not in page.text


@pytest.mark.django_db
@rule("PLT-1")
def test_glossary_a_promise_in_the_attempt_history_reads_as_a_deadline(client_for, users, customer, product):
    from kehu.receivables import services
    from kehu.receivables.tests.builders import invoiced_order

    invoice = invoiced_order(customer=customer, product=product, quantity=10, days_ago=40)
    promised_on = timezone.localdate() + timedelta(days=5)
    services.attempt_log(by=users["owner"], customer=customer, channel="call", outcome="promised", invoice=invoice,
                         promised_on=promised_on, promised_amount="400")
    page = client_for(users["owner"]).get(reverse("receivables:attempt_create", args=[customer.pk]),
                                          HTTP_ACCEPT_LANGUAGE="zh-hans")
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", page.text))
    assert f"¥400.00 最迟于 {promised_on:%Y-%m-%d}" in text
    assert f"¥400.00 操作人 {promised_on:%Y-%m-%d}" not in text

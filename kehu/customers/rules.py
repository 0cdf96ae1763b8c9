"""Pure rules of the profile card: completeness (CUS-4), product-line shares (CUS-1) and the
keys used for duplicate matching and search (CUS-8). No database access here."""

import functools
import re
from datetime import date
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pypinyin import Style, lazy_pinyin
from pypinyin.seg.simpleseg import seg as pinyin_words

from kehu.core.text import code_key, company_key, fold, phone_key

# Fields whose absence makes a card incomplete (CUS-4), in the order of form KH001.
COMPLETENESS_FIELDS = [
    "name", "address", "phone", "postcode", "nature", "category", "grade", "registration_no", "tax_no",
    "bank", "bank_account", "registered_capital", "working_capital", "founded_on", "shop_area",
    "warehouse_area", "employee_count", "premises", "vehicles", "transport_modes", "payment_method",
    "annual_turnover", "product_lines", "coverage_area", "developed_on", "developed_by",
    "service_area", "sales_capability", "growth_potential", "business_philosophy",
    "sales_results", "cooperation_attitude", "credit_status", "trade_terms",
]
# Key-person roles a complete card names (CUS-2): who decides and who buys.
REQUIRED_PEOPLE = {
    "in_charge": gettext_lazy("Key person: person in charge 负责人"),
    "buyer": gettext_lazy("Key person: buyer 采购人"),
}


def _filled(value) -> bool:
    return value not in (None, "", [], {})


def _missing_names(customer, people_roles: set[str]) -> list[str]:
    names = [name for name in COMPLETENESS_FIELDS
             if not _filled(getattr(customer, name if name != "developed_by" else "developed_by_id"))]
    return names + [f"people:{role}" for role in REQUIRED_PEOPLE if role not in people_roles]


def missing_fields(customer, people_roles: set[str]) -> list[tuple[str, str]]:
    """(field name, label) of everything still missing on the card."""
    return [
        (name, str(REQUIRED_PEOPLE[name[7:]] if name.startswith("people:")
                   else customer._meta.get_field(name).verbose_name))
        for name in _missing_names(customer, people_roles)
    ]


# CUS-4: a card under this completeness is listed as one to complete.
INCOMPLETE_BELOW = 60


def completeness(customer, people_roles: set[str]) -> int:
    # Counts only: translating the labels of every row slowed imports (bench/RESULTS.md, measured causes).
    total = len(COMPLETENESS_FIELDS) + len(REQUIRED_PEOPLE)
    return round(100 * (total - len(_missing_names(customer, people_roles))) / total)


_SHARE = re.compile(r"^(?P<line>.+?)\s*[:：]?\s*(?P<share>\d+(?:\.\d+)?)\s*[%％]?$")


def parse_product_lines(text: str) -> list[tuple[str, Decimal]]:
    """'饮料 60%; 零食 40%' → [('饮料', 60), ('零食', 40)]. Raises ValueError with a message."""
    items = []
    for part in re.split(r"[;；\n,，、]+", text or ""):
        part = part.strip()
        if not part:
            continue
        match = _SHARE.match(part)
        if not match:
            raise ValueError(_("“%(item)s” has no share: write the product line and its share, e.g. 饮料 60%%.")
                             % {"item": part})
        try:
            share = Decimal(match["share"])
        except InvalidOperation as exc:  # pragma: no cover - the regex admits only numbers
            raise ValueError(part) from exc
        if share > 100:
            raise ValueError(_("The share of “%(line)s” is above 100%%.") % {"line": match["line"]})
        items.append((match["line"].strip(), share))
    total = sum((s for _line, s in items), Decimal(0))
    if total > 100:
        raise ValueError(_("The shares add up to %(total)s%%; they can be at most 100%%.") % {"total": total})
    return items


def match_keys(*, name: str, phone: str, tax_no: str) -> dict[str, str]:
    return {"name_key": company_key(name), "phone_key": phone_key(phone), "tax_key": code_key(tax_no)}


SEARCH_TEXT_MAX = 800


def initials(name: str | None) -> str:
    """The pinyin initials of a name (上海光汇商贸 → shghsm): Chinese CRMs let one find a
    customer by them, as typing them is quicker than the characters on a phone.

    pypinyin cuts a name into words (上海|光|汇|商贸) and reads each word on its own; the
    reading of a word is kept, since company names repeat theirs (有限公司, 商贸, the cities) and
    reading them was a third of an import's time. Same answer as lazy_pinyin on the whole name."""
    return "".join(_word_initials(word) for word in pinyin_words(name or ""))


@functools.lru_cache(maxsize=16384)
def _word_initials(word: str) -> str:
    return "".join(lazy_pinyin(word, style=Style.FIRST_LETTER, errors="ignore"))


def search_text(customer, people: list[tuple[str, str]]) -> str:
    """Everything search looks in, folded (full-width → half-width, lower case): the name, its
    pinyin initials, the code, phones, and the current key people."""
    parts = [customer.name, initials(customer.name), customer.code, customer.phone, phone_key(customer.phone)]
    for name, phone in people:
        parts += [name, phone, phone_key(phone)]
    # Capped so the column fits a PostgreSQL b-tree entry (2,704 bytes) in any script.
    return "|".join(fold(p) for p in parts if p)[:SEARCH_TEXT_MAX]


def card_errors(customer, *, transport_choices: set[str], today=None) -> dict[str, str]:
    """Rules of the card that span fields or parse text (Customer.clean). Django runs clean()
    even when a field failed its own check, so a date here may still be the text a user typed
    (an import's "next spring"): only real dates are compared. An import gives `today` once."""
    errors = {}
    try:
        parse_product_lines(customer.product_lines)
    except ValueError as exc:
        errors["product_lines"] = str(exc)
    if not isinstance(customer.transport_modes, list) or not set(customer.transport_modes) <= transport_choices:
        errors["transport_modes"] = _("Choose transport modes from the list.")
    today = today or timezone.localdate()
    for field in ("founded_on", "developed_on"):
        value = getattr(customer, field)
        if isinstance(value, date) and value > today:
            errors[field] = _("This date is in the future.")
    if isinstance(customer.founded_on, date) and customer.founded_on.year < 1900:
        errors["founded_on"] = _("Enter a founding date after 1900.")
    return errors

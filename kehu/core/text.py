"""Text normalisation used for matching (CUS-8 duplicate check) and searching."""

import re
import unicodedata

# Longest first, so that 股份有限公司 is removed whole rather than leaving 股份.
COMPANY_SUFFIXES = sorted(
    [
        "股份有限公司", "有限责任公司", "有限公司", "集团公司", "分公司", "总公司", "公司",
        "集团", "商行", "经营部", "商贸部", "门市部", "批发部", "贸易行", "厂",
        "co.,ltd.", "co.,ltd", "co.ltd", "co.", "ltd.", "ltd", "inc.", "inc", "llc",
    ],
    key=len,
    reverse=True,
)
_SPACE_AND_PUNCT = re.compile(r"[\s\u3000·.,，。()（）\-_/\\&＆'\"“”]+")


def fold(text: str | None) -> str:
    """Full-width → half-width (NFKC), lower case, no spaces."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or "")).lower()


def company_key(name: str | None) -> str:
    """Name for duplicate matching: folded, punctuation removed, company suffixes stripped.
    Returns "" for names that are nothing but a suffix."""
    key = _SPACE_AND_PUNCT.sub("", fold(name))
    changed = True
    while changed and key:
        changed = False
        for suffix in COMPANY_SUFFIXES:
            stripped = suffix.replace(".", "").replace(",", "")
            if stripped and key.endswith(stripped):
                key = key[: -len(stripped)]
                changed = True
                break
    return key


def phone_key(phone: str | None) -> str:
    """Digits only, without a leading +86/0086 country code."""
    digits = re.sub(r"\D", "", unicodedata.normalize("NFKC", phone or ""))
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and len(digits) - len(prefix) >= 11:
            digits = digits[len(prefix):]
            break
    return digits


def code_key(code: str | None) -> str:
    """Registration/tax numbers: folded, upper case, letters and digits only."""
    return re.sub(r"[^0-9A-Z]", "", fold(code).upper())

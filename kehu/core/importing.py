"""The steps every import from .xlsx/.csv shares (INS-2), after core.excel.read_table has
read the file: the sheet's headers mapped to field names (in English or Chinese, by the
field's name, its label in either language or known aliases), the rows read as
{field: cell} with their spreadsheet line numbers, and one ImportResult for what was
written and every bad row.

An import either writes nothing when a row is bad (ALL_OR_NOTHING: products, invoices)
or, as the user chooses, the valid rows only (VALID_ROWS: customers)."""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

from django.core.exceptions import FieldDoesNotExist
from django.utils import translation
from django.utils.translation import gettext as _

from kehu.core.errors import ValidationFailed
from kehu.core.text import fold

ALL_OR_NOTHING = "all_or_nothing"
VALID_ROWS = "valid_only"
LANGUAGES = ("en", "zh-hans")


class RowError(NamedTuple):
    """One problem of one row: its spreadsheet line, the field concerned ("" for the row as
    a whole) and the message as the user reads it (naming its column)."""

    line: int
    field: str
    message: str


@dataclass
class ImportResult:
    mode: str = ALL_OR_NOTHING
    total: int = 0  # rows read
    created: int = 0
    updated: int = 0
    merged: int = 0
    skipped: int = 0
    row_errors: list[RowError] = field(default_factory=list)
    unknown_headers: list[str] = field(default_factory=list)

    def add_error(self, line: int, message, field: str = "") -> None:
        self.row_errors.append(RowError(line, field, str(message)))

    def add_errors(self, line: int, problems, *, label: Callable[[str], str] | None = None) -> None:
        """A row's problems: {field: [messages]}, each message then prefixed with the field's
        label ("list price: Enter a number."; none when label(field) is empty), or plain
        messages that concern the row as a whole."""
        if isinstance(problems, Mapping):
            for name, messages in problems.items():
                text = label(name) if label else ""
                for message in messages:
                    self.add_error(line, f"{text}: {message}" if text else message, name)
        else:
            for message in problems:
                self.add_error(line, message)

    @property
    def errors(self) -> list[tuple[int, list[str]]]:
        """The bad rows as the pages and the API show them: (line, [messages]), a line once."""
        by_line: dict[int, list[str]] = {}
        for error in self.row_errors:
            by_line.setdefault(error.line, []).append(error.message)
        return list(by_line.items())

    @property
    def refused(self) -> bool:
        """Nothing was written because a row is bad."""
        return self.mode == ALL_OR_NOTHING and bool(self.row_errors)

    def counts(self) -> dict[str, int]:
        """The figures of the message shown after the import (bad rows counted once each)."""
        return {"created": self.created, "updated": self.updated, "merged": self.merged, "skipped": self.skipped,
                "errors": len(self.errors)}


# --- lengths ----------------------------------------------------------------------------------------------

def too_long(model, values: Mapping[str, object], *, fields: Mapping[str, str] | None = None) -> dict[str, list[str]]:
    """INS-2: the values longer than their model field's max_length, {name: [message]}, the
    message naming the field ("invoice number longer than 30 characters (it has 36)."). Checked
    before anything else — a duplicate check or a database write — so that an over-long value
    is refused as given, never cut short. `fields` maps a name of `values` to the model's field
    where they differ; names that are no text field of the model are left alone."""
    problems: dict[str, list[str]] = {}
    for name, value in values.items():
        if value is None or isinstance(value, (list, dict)):
            continue
        try:
            model_field = model._meta.get_field((fields or {}).get(name, name))
        except FieldDoesNotExist:  # not a field of the model: not ours to check
            model_field = None
        limit = getattr(model_field, "max_length", None) if model_field is not None else None
        text = str(value).strip()
        if limit and not getattr(model_field, "choices", None) and len(text) > limit:
            problems[name] = [_("%(field)s longer than %(limit)d characters (it has %(length)d).") % {
                "field": model_field.verbose_name, "limit": limit, "length": len(text)}]
    return problems


def check_lengths(model, **values) -> None:
    """too_long for a service's arguments: a ValidationFailed naming the first over-long value."""
    problems = too_long(model, values)
    if problems:
        raise ValidationFailed(next(iter(problems.values()))[0], field_errors=problems)


# --- headers and rows -------------------------------------------------------------------------------------

def has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def header_aliases(columns: Mapping[str, Iterable[str]], label: Callable[[str], object], *,
                   chinese_parts: bool = False) -> dict[str, str]:
    """Folded header text → field name: for each field (in order) the words given, then its
    label in English and in Chinese unless another field took it; with `chinese_parts`, each
    Chinese word of a label too ("nature 性质" also answers to "性质")."""
    aliases: dict[str, str] = {}
    for name, words in columns.items():
        for word in words:
            aliases[fold(word)] = name
        for lang in LANGUAGES:
            with translation.override(lang):
                text = str(label(name))
            aliases.setdefault(fold(text), name)
            if chinese_parts:
                for part in text.split():
                    if has_chinese(part):
                        aliases.setdefault(fold(part), name)
    return aliases


@dataclass
class Columns:
    """Which column of the sheet holds which field; the headers not recognised."""

    mapping: dict[int, str]
    unknown: list[str]

    def missing(self, required: Iterable[str]) -> list[str]:
        found = set(self.mapping.values())
        return [name for name in required if name not in found]

    def rows(self, body: list[tuple[int, list]], cell: Callable = lambda value, name: value) -> list[tuple[int, dict]]:
        """[(line, {field: cell(value, field)})] of the rows read by core.excel.read_table."""
        return [(line, {name: cell(cells[i], name) for i, name in self.mapping.items() if i < len(cells)})
                for line, cells in body]


def map_headers(headers: list[str], aliases: Mapping[str, str]) -> Columns:
    """The sheet's columns by field: the first column answering to a field wins; a header
    that answers to nothing (or to a field already taken) is listed as not recognised."""
    mapping: dict[int, str] = {}
    unknown: list[str] = []
    for index, header in enumerate(headers):
        name = aliases.get(fold(header))
        if name and name not in mapping.values():
            mapping[index] = name
        elif header:
            unknown.append(header)
    return Columns(mapping, unknown)

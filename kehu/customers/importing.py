"""Import of customer cards from .xlsx/.csv (CUS-8, INS-2): every row is validated through the
same form and model rules as the page; the preview lists every bad row with its line number
and every row that looks like an existing customer; the commit imports the valid rows or
nothing, as the user chose. Export writes the same columns, so an export can be re-imported."""

import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kehu.accounts.models import User
from kehu.accounts.selectors import salespeople_for
from kehu.core import jobs
from kehu.core.access import require
from kehu.core.db import prepare_insert, refresh_planner_statistics
from kehu.core.errors import PermissionDeniedError, ValidationFailed
from kehu.core.history import history_record_created
from kehu.core.importing import (
    ALL_OR_NOTHING,
    VALID_ROWS,
    ImportResult,
    RowError,
    has_chinese,
    header_aliases,
    map_headers,
    too_long,
)
from kehu.core.models import Sequence
from kehu.core.pagination import lists_changed
from kehu.core.text import fold
from kehu.customers import events, rules
from kehu.customers.capabilities import EDIT_CUSTOMERS
from kehu.customers.models import TRANSPORT_VALUES, Customer, CustomerEvent, Transport
from kehu.customers.selectors import CUSTOMER_LIST, customers_visible_to
from kehu.customers.services import (
    CODE_SEQUENCE,
    CREDIT_TERMS,
    EDITABLE_FIELDS,
    credit_terms_message,
    credit_terms_refused,
    customer_merge_data,
    format_code,
    refresh_derived,
)

# Columns in export order: code and owner first, then the card in KH001 order.
COLUMNS = ["code", "owner", *[f for f in EDITABLE_FIELDS if f != "developed_by"], "developed_by"]
IMPORT_DIR = settings.DATA_DIR / "imports"
# Required fields with a default (grade C, status prospect): a file need not have them.
DEFAULTED_FIELDS = [f for f in EDITABLE_FIELDS
                    if Customer._meta.get_field(f).has_default() and not Customer._meta.get_field(f).blank]


def column_label(name: str) -> str:
    return str(Customer._meta.get_field(name).verbose_name)


def _aliases() -> dict[str, str]:
    """Folded header text → field name: field names and the labels in both languages."""
    return header_aliases({name: [name] for name in COLUMNS}, column_label, chinese_parts=True)


def _choice_lookup(name: str) -> dict[str, str] | None:
    choices = Transport.choices if name == "transport_modes" else Customer._meta.get_field(name).choices
    if not choices:
        return None
    lookup = {}
    for value, label in choices:
        lookup[fold(value)] = value
        for lang in ("en", "zh-hans"):
            with translation.override(lang):
                text = str(label)
            lookup[fold(text)] = value
            # "Agent 代理商" also answers to "代理商"; English words are not taken alone, as
            # they are ambiguous ("wholesaler" is both 1st- and 2nd-tier, "bank" two methods).
            for part in text.split():
                if has_chinese(part):
                    lookup.setdefault(fold(part), value)
    return lookup


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return str(Decimal(repr(value)).normalize()) if value != int(value) else str(int(value))
    return str(value).strip()


@dataclass
class ImportReport(ImportResult):
    """The preview of an import (and, once committed, its figures): the rows that will be
    imported, those that will not (row_errors) and those similar to existing customers."""

    token: str = ""
    mode: str = VALID_ROWS
    valid: list = field(default_factory=list)  # (line, data, owner)
    duplicates: list = field(default_factory=list)  # (line, name, [customers])


def _label(name: str) -> str:
    return column_label(name) if name in COLUMNS else ""


def _validate(*, by, headers, rows, token, progress=None) -> ImportReport:
    columns = map_headers(headers, _aliases())
    report = ImportReport(token=token, total=len(rows), unknown_headers=columns.unknown)
    if columns.missing(["name"]):
        raise ValidationFailed(_("The file has no column for the customer name (客户名称 / customer name)."))
    lookups = {name: _choice_lookup(name) for name in columns.mapping.values() if name in COLUMNS}
    people = {u.username.lower(): u for u in salespeople_for(by)}
    seen: dict[tuple, int] = {}
    today = timezone.localdate()
    progress = progress or (lambda done, total: None)
    for done, (line, raw) in enumerate(columns.rows(rows, lambda value, _name: _cell_text(value))):
        progress(done, len(rows))
        bad_before = len(report.row_errors)
        data = {k: v for k, v in raw.items() if k not in ("code", "owner", "developed_by")}
        long = too_long(Customer, data)  # refused as given, before anything else (INS-2)
        if long:
            report.add_errors(line, long)
            continue
        for name, lookup in lookups.items():
            if lookup and name in data and data[name]:
                if name == "transport_modes":
                    parts = _split(data[name])
                    bad = [p for p in parts if fold(p) not in lookup]
                    if bad:
                        report.add_error(line, _("%(field)s: unknown value “%(value)s”") % {
                            "field": column_label(name), "value": "、".join(bad)}, name)
                    data[name] = [lookup[fold(p)] for p in parts if fold(p) in lookup]
                elif fold(data[name]) in lookup:
                    data[name] = lookup[fold(data[name])]
        owner = by
        if raw.get("owner"):
            owner = people.get(raw["owner"].lower())
            if owner is None:
                report.add_error(line, _("Owner “%(name)s” is not a salesperson in your scope.")
                                 % {"name": raw["owner"]}, "owner")
        if raw.get("developed_by"):
            dev = people.get(raw["developed_by"].lower())
            data["developed_by"] = dev.pk if dev else None
            if dev is None:
                report.add_error(line, _("Developed by “%(name)s” is not a salesperson in your scope.")
                                 % {"name": raw["developed_by"]}, "developed_by")
        for name in DEFAULTED_FIELDS:  # a missing column or an empty cell takes the card's default
            if not data.get(name):
                data[name] = Customer._meta.get_field(name).get_default()
        cleaned, errors = _clean_row(data, today=today)
        report.add_errors(line, errors, label=_label)
        if len(report.row_errors) > bad_before:
            continue
        keys = rules.match_keys(name=cleaned.get("name", ""), phone=cleaned.get("phone", ""),
                                tax_no=cleaned.get("tax_no", ""))
        dup_line = next((seen[(k, v)] for k, v in keys.items() if v and (k, v) in seen), None)
        if dup_line:
            report.add_error(line, _("Same customer as line %(line)d of this file.") % {"line": dup_line})
            continue
        for k, v in keys.items():
            if v and not (k == "phone_key" and len(v) < 7):
                seen[(k, v)] = line
        report.valid.append((line, cleaned, owner))
    _flag_duplicates(report)
    _refuse_credit_terms(by=by, report=report)
    return report


def _terms_refused(*, by, cleaned: dict, target: Customer | None = None) -> list[str]:
    """CRD-2: the grade or 账期 a row would set that `by` may not: on a new card, any but the
    defaults; merged into `target`, what would fill its blanks (an equal value is no change)."""
    if target is None:
        return credit_terms_refused(by=by, data=cleaned)
    blanks = {name: value for name, value in cleaned.items()
              if name in CREDIT_TERMS and value not in (None, "") and getattr(target, name) in (None, "")}
    return credit_terms_refused(by=by, data=blanks, current=target)


def _refuse_credit_terms(*, by, report: ImportReport) -> None:
    """At the preview, the rows that would make new cards with credit terms the user may not
    set are refused by line; a row like an existing card is checked at the commit, once the
    user has said whether it merges or makes a new card."""
    similar = {line for line, _name, _found in report.duplicates}
    valid = []
    for line, cleaned, owner in report.valid:
        refused = [] if line in similar else _terms_refused(by=by, cleaned=cleaned)
        for name in refused:
            report.add_error(line, f"{column_label(name)}: {credit_terms_message()}", name)
        if not refused:
            valid.append((line, cleaned, owner))
    report.valid = valid
    report.row_errors.sort(key=lambda error: error.line)


_DATE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$")
_ROW_EXCLUDE = [f.name for f in Customer._meta.fields if f.name not in EDITABLE_FIELDS or f.name == "developed_by"]


def _clean_row(data: dict, *, today: date) -> tuple[dict, dict]:
    """Convert and check one row with the card's own rules (field types, choices, validators
    and the card's rules of Customer.clean, in the order full_clean runs them) — the rules the
    form applies, without building a form per row, which made a large import take minutes
    (bench/RESULTS.md). `developed_by` is checked by the caller against the salespeople in
    scope, without a query per row; `today` is the import's day."""
    customer = Customer()
    for name, raw in data.items():
        if name == "developed_by":
            continue
        model_field = Customer._meta.get_field(name)
        if name == "transport_modes" and not raw:
            raw = []
        elif raw == "" and model_field.null:
            raw = None
        elif isinstance(raw, str) and model_field.get_internal_type() == "DateField" and (m := _DATE.match(raw)):
            raw = f"{m[1]}-{int(m[2]):02d}-{int(m[3]):02d}"
        elif isinstance(raw, str) and model_field.get_internal_type() == "DecimalField":
            raw = raw.replace(",", "").replace("¥", "").replace("￥", "").strip()
        setattr(customer, model_field.attname, raw)
    absent = [name for name in EDITABLE_FIELDS if name not in data]
    errors = {}
    try:
        customer.clean_fields(exclude=_ROW_EXCLUDE + absent)
    except ValidationError as exc:
        errors = exc.message_dict
    for name, message in rules.card_errors(customer, transport_choices=TRANSPORT_VALUES, today=today).items():
        errors.setdefault(name, []).append(message)
    if errors:
        return {}, errors
    cleaned = {name: getattr(customer, name) for name in data if name != "developed_by"}
    if data.get("developed_by"):
        cleaned["developed_by"] = data["developed_by"]
    return cleaned, {}


def _split(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"[,，、;；/\s]+", text) if p.strip()]


def _flag_duplicates(report: ImportReport) -> None:
    """Match every valid row against existing cards in a few queries (not one per row)."""
    if not report.valid:
        return
    by_key: dict[tuple, list] = {}
    wanted = {"name_key": set(), "phone_key": set(), "tax_key": set()}
    row_keys = []
    for line, cleaned, _owner in report.valid:
        keys = rules.match_keys(name=cleaned.get("name", ""), phone=cleaned.get("phone", ""),
                                tax_no=cleaned.get("tax_no", ""))
        keys = {k: v for k, v in keys.items() if v and not (k == "phone_key" and len(v) < 7)}
        row_keys.append((line, cleaned["name"], keys))
        for k, v in keys.items():
            wanted[k].add(v)
    for key, values in wanted.items():
        values = list(values)
        for start in range(0, len(values), 500):
            for customer in Customer.objects.filter(**{f"{key}__in": values[start:start + 500]}).only(
                    "id", "code", "name", "name_key", "phone_key", "tax_key"):
                by_key.setdefault((key, getattr(customer, key)), []).append(customer)
    for line, name, keys in row_keys:
        found = {c.pk: c for k, v in keys.items() for c in by_key.get((k, v), [])}
        if found:
            report.duplicates.append((line, name, sorted(found.values(), key=lambda c: c.pk)))


def import_preview(*, by, headers, rows, progress=None) -> ImportReport:
    """Validate an uploaded table and keep the validated rows server-side for the commit.
    `progress(done, total)` is told how far the check is (a background job, core.jobs)."""
    require(by, EDIT_CUSTOMERS, _("Your role can read customer cards but not import them."))
    token = str(uuid.uuid4())
    report = _validate(by=by, headers=headers, rows=rows, token=token, progress=progress)
    IMPORT_DIR.mkdir(parents=True, exist_ok=True)
    payload = {
        "user": by.pk, "total": report.total, "unknown_headers": report.unknown_headers,
        "errors": report.row_errors,
        "valid": [(line, cleaned, owner.pk) for line, cleaned, owner in report.valid],
    }
    (IMPORT_DIR / f"{token}.json").write_text(json.dumps(payload, cls=DjangoJSONEncoder, ensure_ascii=False),
                                              encoding="utf-8")
    return report


def _token_path(token):
    try:
        return IMPORT_DIR / f"{uuid.UUID(str(token))}.json"
    except ValueError:
        return None


def commit_waits(token) -> bool:
    """Whether the commit of this preview is large enough to run as a background job
    (core.jobs.waits, by the size of the rows kept at the preview)."""
    path = _token_path(token)
    return path is not None and path.exists() and jobs.waits(path.stat().st_size)


def _from_json(cleaned: dict) -> dict:
    return {name: Customer._meta.get_field(name).to_python(value) if name != "developed_by" else value
            for name, value in cleaned.items()}


def _row_errors(stored) -> list[RowError]:
    """A stored row error: [line, field, message], or [line, [messages]] from a preview made
    before the errors named their field."""
    if len(stored) == 2:
        return [RowError(stored[0], "", message) for message in stored[1]]
    return [RowError(*stored)]


def import_load(*, by, token: str) -> ImportReport:
    """The previewed import. Rows were validated at the preview; what may have changed since —
    the owner's scope and cards added meanwhile (duplicates) — is checked again."""
    path = _token_path(token)
    if path is None or not path.exists():
        raise ValidationFailed(_("This import has expired or was already done; upload the file again."))
    payload = json.loads(path.read_text(encoding="utf-8"))
    if payload["user"] != by.pk:
        raise PermissionDeniedError(_("This import belongs to another user."))
    report = ImportReport(token=str(token), total=payload["total"], unknown_headers=payload["unknown_headers"],
                          row_errors=[error for entry in payload["errors"] for error in _row_errors(entry)])
    people = {u.pk: u for u in salespeople_for(by)} | {by.pk: by}
    for line, cleaned, owner_pk in payload["valid"]:
        if owner_pk not in people:
            report.add_error(line, _("The owner is no longer a salesperson in your scope."), "owner")
            continue
        report.valid.append((line, _from_json(cleaned), people[owner_pk]))
    report.row_errors.sort(key=lambda error: error.line)
    _flag_duplicates(report)
    return report


def import_commit(*, by, token: str, mode: str, on_duplicate: str, progress=None) -> ImportReport:
    """Import the previewed file. mode: valid_only | all_or_nothing; on_duplicate: skip | keep_both | merge.
    `progress(done, total)` is told how far it is (a background job, core.jobs)."""
    progress = progress or (lambda done, total: None)
    if mode not in (VALID_ROWS, ALL_OR_NOTHING) or on_duplicate not in ("skip", "keep_both", "merge"):
        raise ValidationFailed(_("Choose what to do with bad rows and with similar customers."))
    report = import_load(by=by, token=token)
    report.mode = mode
    if mode == ALL_OR_NOTHING and report.row_errors:
        raise ValidationFailed(_("%(count)d rows have errors; as you chose, nothing was imported.")
                               % {"count": len(report.errors)})
    duplicate_of = {line: found for line, _name, found in report.duplicates}
    mergeable = set()
    if on_duplicate == "merge" and duplicate_of:
        candidates = {c.pk for found in duplicate_of.values() for c in found}
        mergeable = set(customers_visible_to(by).filter(pk__in=candidates).values_list("pk", flat=True))
    # Every row is checked and its card built before the write transaction, which then only
    # takes the codes and inserts: on SQLite it holds the one write lock, and the payments
    # posted meanwhile wait for it (INS-2, issue 13).
    created, merges, skipped, now = [], [], 0, timezone.now()
    for done, (line, cleaned, owner) in enumerate(report.valid):
        progress(done, len(report.valid))
        if line in duplicate_of and on_duplicate == "skip":
            skipped += 1
            continue
        target = None
        if line in duplicate_of and on_duplicate == "merge":
            target = next((c for c in duplicate_of[line] if c.pk in mergeable), None)
        refused = _terms_refused(by=by, cleaned=cleaned, target=target)
        if refused:  # CRD-2, checked now that it is known whether the row merges
            message = f"{column_label(refused[0])}: {credit_terms_message()}"
            if mode == ALL_OR_NOTHING:
                raise ValidationFailed(_("Line %(line)d: %(message)s") % {"line": line, "message": message})
            report.add_error(line, message, refused[0])
            continue
        if line in duplicate_of and on_duplicate == "merge":
            # Merge into the first similar card the user may edit; a card of another
            # office cannot be merged into (customer_merge_data would refuse the whole
            # import), so such a row is skipped like with on_duplicate="skip".
            if target is None:
                skipped += 1
            else:
                merges.append((target, cleaned))
            continue
        developed_by = cleaned.pop("developed_by", None)
        customer = Customer(**cleaned, owner=owner, office_id=owner.office_id, filled_by=by, filled_at=now)
        if developed_by:
            customer.developed_by_id = developed_by.pk if isinstance(developed_by, User) else developed_by
        refresh_derived(customer, people=[])
        created.append((customer, duplicate_of.get(line, [])))
    # The codes are taken and the rows made ready before the write transaction, which then
    # only inserts (core.db.prepare_insert); a refused import leaves a gap in the customer
    # codes, never in a money book.
    codes = Sequence.take(CODE_SEQUENCE, len(created)) if created else range(0)
    for (customer, _similar), code in zip(created, codes, strict=True):
        customer.code = format_code(code)
    rows = prepare_insert(Customer, [c for c, _s in created])
    with transaction.atomic():
        for target, cleaned in merges:
            customer_merge_data(by=by, target=target, data=cleaned)
        rows.write()
        history_record_created(Customer, [c.pk for c, _s in created], user=by, reason="import")
        # CUS-8: kept although similar, recorded as on a card created by hand.
        CustomerEvent.objects.bulk_create([events.duplicate_kept(customer, by=by, similar=similar)
                                           for customer, similar in created if similar], batch_size=1000)
        lists_changed(CUSTOMER_LIST)
    if len(created) >= 1000:
        refresh_planner_statistics(no_skip_scan=Customer.NO_SKIP_SCAN)
    (IMPORT_DIR / f"{uuid.UUID(str(token))}.json").unlink(missing_ok=True)
    report.created, report.merged, report.skipped = len(created), len(merges), skipped
    return report

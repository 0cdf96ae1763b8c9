"""Writes of products, orders and returns (ORD-1, ORD-2). Confirming an order is a credit
decision and lives in credit.services.order_confirm (CRD-3)."""

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.core.access import parse_id, require
from kehu.core.capabilities import user_can
from kehu.core.errors import PermissionDeniedError, ValidationFailed, full_clean_or_refuse
from kehu.core.history import save_by
from kehu.core.importing import ALL_OR_NOTHING, ImportResult, check_lengths, too_long
from kehu.core.models import Sequence
from kehu.core.money import CENT, decimal_or_refuse
from kehu.core.pagination import lists_changed
from kehu.core.periods import check_money_date
from kehu.customers.selectors import customer_get_for_user
from kehu.sales.capabilities import HANDLE_ORDERS, MAINTAIN_PRODUCTS, TAKE_ORDERS
from kehu.sales.events import save_step
from kehu.sales.locks import lock_order, lock_order_lines, lock_product, lock_return
from kehu.sales.models import CreditNote, Order, OrderLine, Product, Return, ReturnLine
from kehu.sales.selectors import ORDER_LIST

Status = Order.Status

# The status flow of ORD-1: where each step may start from.
TRANSITIONS = {
    Status.CONFIRMED: {Status.DRAFT},  # via credit.services.order_confirm
    Status.DELIVERED: {Status.CONFIRMED},
    Status.INVOICED: {Status.DELIVERED},  # via receivables.services.order_invoice
    Status.CLOSED: {Status.INVOICED},  # via receivables.services.order_close, once its invoice is settled
    Status.CANCELLED: {Status.DRAFT, Status.CONFIRMED},
}


# --- products ----------------------------------------------------------------------------------------

PRODUCT_COLUMNS = ["code", "name", "spec", "unit", "list_price", "line", "active"]


def _label(field: str) -> str:
    """A product's column as a row's problem names it: "list price: Enter a number." """
    return str(Product._meta.get_field(field).verbose_name) if field in PRODUCT_COLUMNS else ""


def product_import(*, by, rows: list[tuple[int, dict]], progress=None) -> ImportResult:
    """ORD-1: create or update products from a sheet, all or nothing: every bad row is
    reported with its line number and then nothing is written. `progress(done, total)` is
    told how far the check is (a background job, core.jobs)."""
    require(by, MAINTAIN_PRODUCTS, _("Only administrators maintain the product list."))
    progress = progress or (lambda done, total: None)
    result, valid = ImportResult(mode=ALL_OR_NOTHING, total=len(rows)), []
    existing = {p.code: p for p in Product.objects.filter(code__in=[str(r.get("code", "")).strip() for _l, r in rows])}
    seen = set()
    for done, (line, row) in enumerate(rows):
        progress(done, len(rows))
        # Over-long values are refused as given, before the duplicate check (INS-2).
        long = too_long(Product, {k: v for k, v in row.items() if k != "list_price"})
        if long:
            result.add_errors(line, long)
            continue
        code = str(row.get("code") or "").strip()
        product = existing.get(code) or Product(code=code)
        for field in ("name", "spec", "unit", "line"):
            if row.get(field) not in (None, ""):
                setattr(product, field, str(row[field]).strip())
        problems: dict[str, list] = {}
        if row.get("list_price") not in (None, ""):
            try:
                product.list_price = decimal_or_refuse(row["list_price"], field="list_price", label=_("list price"))
            except ValidationFailed as exc:
                problems["list_price"] = exc.field_errors.get("list_price") or [exc.message]
        if row.get("active") not in (None, ""):
            product.active = str(row["active"]).strip().lower() not in ("0", "false", "no", "否", "停用")
        if code and code in seen:
            problems["code"] = [_("The code %(code)s appears twice in the file.") % {"code": code}]
        seen.add(code)
        try:
            full_clean_or_refuse(product, exclude=list(problems))
        except ValidationFailed as exc:
            problems.update(exc.field_errors)
        if problems:
            result.add_errors(line, problems, label=_label)
            continue
        valid.append(product)
    if result.refused:
        return result
    with transaction.atomic():
        for product in valid:
            if product.pk:
                product.version += 1
                result.updated += 1
            else:
                result.created += 1
            save_by(product, by)
    return result


def product_save(*, by, data: dict, product: Product | None = None, version: int | None = None) -> Product:
    """ORD-1: add a product (product=None) or edit one from the `version` the user read.
    Only the fields of PRODUCT_COLUMNS given in `data` change."""
    require(by, MAINTAIN_PRODUCTS, _("Only administrators maintain the product list."))
    with transaction.atomic():
        if product is None:
            current = Product()
        else:
            current = lock_product(product_pk=product.pk, version=version)
            current.version += 1
        for field in PRODUCT_COLUMNS:
            if field in data:
                value = data[field]
                setattr(current, field, value.strip() if isinstance(value, str) else value)
        full_clean_or_refuse(current)
        if Product.objects.filter(code=current.code).exclude(pk=current.pk).exists():
            raise ValidationFailed(_("The product code %(code)s is already used.") % {"code": current.code},
                                   field_errors={"code": [_("Already used.")]})
        save_by(current, by)
    return current


# --- orders -----------------------------------------------------------------------------------------------

def _product_id(product) -> int | None:
    """A product or its id as typed; None for anything that cannot be one (a 30-digit number too)."""
    if isinstance(product, Product):
        return product.pk
    return parse_id(str(product or "").strip())


def _clean_lines(lines: list[dict]) -> list[OrderLine]:
    if not lines:
        raise ValidationFailed(_("An order needs at least one line."), field_errors={"lines": [_("Add a product.")]})
    built = []
    ids = [_product_id(d.get("product")) for d in lines]
    products = Product.objects.in_bulk([pk for pk in ids if pk])  # fresh: a product may have been withdrawn
    for n, data in enumerate(lines, start=1):
        product = products.get(ids[n - 1])
        if product is None:
            raise ValidationFailed(_("Line %(n)d: choose a product.") % {"n": n})
        if not product.active:
            raise ValidationFailed(_("Line %(n)d: %(product)s is no longer sold.") % {"n": n, "product": product})
        quantity = decimal_or_refuse(data.get("quantity"), field="lines", label=_("Quantity"))
        price = data.get("unit_price")
        price = product.list_price if price in (None, "") else decimal_or_refuse(price, field="lines", label=_("Unit price"))
        discount = decimal_or_refuse(data.get("discount_pct") or 0, field="lines", label=_("Discount"))
        if quantity <= 0:
            raise ValidationFailed(_("Line %(n)d: the quantity must be more than zero.") % {"n": n})
        if price < 0:
            raise ValidationFailed(_("Line %(n)d: the price cannot be negative.") % {"n": n})
        if not Decimal("0") <= discount <= Decimal("100"):
            raise ValidationFailed(_("Line %(n)d: the discount is a percentage from 0 to 100.") % {"n": n})
        line = OrderLine(product=product, quantity=quantity.quantize(CENT), unit_price=price.quantize(CENT),
                         discount_pct=discount.quantize(CENT))
        line.amount = OrderLine.amount_of(line.quantity, line.unit_price, line.discount_pct)
        full_clean_or_refuse(line, exclude=["order"])
        built.append(line)
    return built


def order_create(*, by, customer, lines: list[dict], ordered_on: date | None = None, note: str = "") -> Order:
    """ORD-1: a draft order for a customer in the user's scope, at list prices unless given."""
    customer = customer_get_for_user(user=by, pk=customer.pk, write=True)
    require(by, TAKE_ORDERS, _("Your role does not take orders."))
    check_lengths(Order, note=note)
    built = _clean_lines(lines)
    with transaction.atomic():
        order = Order(number=f"SO{Sequence.take('order')[0]:07d}", customer=customer, owner=customer.owner,
                      office_id=customer.office_id, ordered_on=ordered_on or timezone.localdate(),
                      note=(note or "").strip(), created_by=by,
                      total=sum((line.amount for line in built), Decimal("0")))
        full_clean_or_refuse(order)
        save_step(order, by=by)
        lists_changed(ORDER_LIST)
        for line in built:
            line.order = order
        OrderLine.objects.bulk_create(built)
    return order


def order_replace_lines(*, by, order: Order, version: int, lines: list[dict], note: str | None = None) -> Order:
    """Change a draft's lines; a confirmed order is changed by cancelling it or by a return."""
    require(by, TAKE_ORDERS, _("Your role does not take orders."))
    check_lengths(Order, note=note)
    built = _clean_lines(lines)
    with transaction.atomic():
        current = lock_order(order_pk=order.pk, version=version)
        if current.status != Status.DRAFT:
            check_draft(current)
        current.lines.all().delete()
        for line in built:
            line.order = current
        OrderLine.objects.bulk_create(built)
        current.total = sum((line.amount for line in built), Decimal("0"))
        if note is not None:
            current.note = note.strip()
        current.version += 1
        save_by(current, by)
        lists_changed(ORDER_LIST)
    return current


def check_draft(order: Order) -> None:
    """ORD-1: only a draft's lines change; a confirmed order changes by cancelling or a return."""
    if order.status != Status.DRAFT:
        raise ValidationFailed(_("Only a draft can be changed; this order is %(status)s.")
                               % {"status": order.get_status_display()})


def check_transition(order: Order, to: str) -> None:
    if order.status not in TRANSITIONS[to]:
        raise ValidationFailed(_("Order %(number)s is %(status)s: it cannot become %(to)s.")
                               % {"number": order.number, "status": order.get_status_display(),
                                  "to": Status(to).label})


def _mark(*, by, order: Order, to: str, **fields) -> Order:
    """Move a locked order one step on, recording the step's date or signature in `fields`."""
    check_transition(order, to)
    order.status = to
    for name, value in fields.items():
        setattr(order, name, value)
    order.version += 1
    save_step(order, by=by)
    lists_changed(ORDER_LIST)
    return order


def mark_confirmed(*, by, order: Order) -> Order:
    """Called by credit.services.order_confirm once the credit check passed, on a locked row."""
    return _mark(by=by, order=order, to=Status.CONFIRMED, confirmed_at=timezone.now(), confirmed_by=by)


def mark_invoiced(*, by, order: Order, on: date) -> Order:
    """Called by receivables.services.order_invoice, which writes the invoice, on a locked row."""
    if not _may_take_step(by, Status.INVOICED):
        raise PermissionDeniedError(_("Your role cannot do this step."))
    return _mark(by=by, order=order, to=Status.INVOICED, invoiced_on=on)


def mark_closed(*, by, order: Order, on: date) -> Order:
    """Called by receivables.services.order_close, which has checked on a locked row that
    the order's invoice is settled (AR-1): sales cannot see the money."""
    if not _may_take_step(by, Status.CLOSED):
        raise PermissionDeniedError(_("Your role cannot do this step."))
    return _mark(by=by, order=order, to=Status.CLOSED, closed_on=on)


def _may_take_step(user, to: str) -> bool:
    """Who moves an order: those who take orders confirm, deliver and cancel; finance also
    invoices and closes; after-sales service only reads."""
    if to in (Status.INVOICED, Status.CLOSED):
        return user_can(user, HANDLE_ORDERS)
    return user_can(user, TAKE_ORDERS)


def order_actions(*, user, order: Order) -> dict[str, bool]:
    """What the user may do with the order now: the buttons of its page (each service
    checks again)."""
    take = user_can(user, TAKE_ORDERS)
    steps = {to: _may_take_step(user, to) and order.status in TRANSITIONS[to] for to in TRANSITIONS}
    return {
        "edit": take and order.status == Status.DRAFT,
        "confirm": steps[Status.CONFIRMED], "deliver": steps[Status.DELIVERED], "invoice": steps[Status.INVOICED],
        "close": steps[Status.CLOSED], "cancel": steps[Status.CANCELLED],
        "return": take and order.status not in (Status.DRAFT, Status.CANCELLED),
    }


def order_advance(*, by, order: Order, version: int, to: str, on: date | None = None, reason: str = "") -> Order:
    """ORD-1: deliver or cancel (confirming goes through the credit check, invoicing through
    receivables.services.order_invoice, which writes the invoice, and closing through
    receivables.services.order_close, which checks that the invoice is settled)."""
    if to not in (Status.DELIVERED, Status.CANCELLED):
        raise ValidationFailed(_("Unknown step."))
    if not _may_take_step(by, to):
        raise PermissionDeniedError(_("Your role cannot do this step."))
    on = on or timezone.localdate()
    with transaction.atomic():
        current = lock_order(order_pk=order.pk, version=version)
        check_transition(current, to)
        if to == Status.CANCELLED:
            reason = (reason or "").strip()
            if not reason:
                raise ValidationFailed(_("Give a reason for cancelling."), field_errors={"reason": [_("Required.")]})
            check_lengths(Order, cancel_reason=reason)
            current.cancel_reason = reason
            current.cancelled_on = on
        else:
            current.delivered_on = on
        current.status = to
        current.version += 1
        save_step(current, by=by)
        lists_changed(ORDER_LIST)
    return current


# --- returns (ORD-2) ---------------------------------------------------------------------------------------

def return_record(*, by, order: Order, version: int, kind: str, reason: str, responsible: str,
                  lines: list[dict] | None = None, returned_on: date | None = None, follow_up: str = "") -> Return:
    """ORD-2. A refusal before delivery returns the whole order and cancels it. Goods returned
    after delivery are returned line by line; once the order is invoiced the return produces a
    credit note for the receivables to settle."""
    require(by, TAKE_ORDERS, _("Your role does not record returns."))
    if kind not in Return.Kind.values:
        raise ValidationFailed(_("Choose the kind of return."), field_errors={"kind": [_("Required.")]})
    if reason not in Return.Reason.values:
        raise ValidationFailed(_("Choose the reason for the return."), field_errors={"reason": [_("Required.")]})
    responsible = (responsible or "").strip()
    check_lengths(Return, responsible=responsible, follow_up=follow_up)
    if not responsible:
        raise ValidationFailed(_("Say who is responsible for the return."),
                               field_errors={"responsible": [_("Required.")]})
    returned_on = returned_on or timezone.localdate()
    check_money_date(returned_on, field="returned_on", label=_("return"))  # its credit note is money (AR-1)
    with transaction.atomic():
        current = lock_order(order_pk=order.pk, version=version)
        order_lines = lock_order_lines(current)
        if kind == Return.Kind.REFUSED:
            if current.status != Status.CONFIRMED:
                raise ValidationFailed(_("Only a confirmed order that is not delivered yet can be refused; "
                                         "this one is %(status)s.") % {"status": current.get_status_display()})
            wanted = {pk: line.quantity for pk, line in order_lines.items()}
        else:
            if current.status not in (Status.DELIVERED, Status.INVOICED, Status.CLOSED):
                raise ValidationFailed(_("Goods can be returned only after delivery; this order is %(status)s.")
                                       % {"status": current.get_status_display()})
            wanted = {}
            for data in lines or []:
                pk = data.get("order_line")
                pk = pk.pk if isinstance(pk, OrderLine) else pk
                quantity = decimal_or_refuse(data.get("quantity") or 0, field="lines", label=_("Quantity"))
                if quantity == 0:
                    continue
                line = order_lines.get(parse_id(pk))
                if line is None:
                    raise ValidationFailed(_("A returned line is not on order %(number)s.")
                                           % {"number": current.number})
                if quantity < 0 or quantity > line.quantity - line.returned_quantity:
                    raise ValidationFailed(
                        _("%(product)s: at most %(left)s can still be returned.")
                        % {"product": line.product, "left": line.quantity - line.returned_quantity})
                wanted[line.pk] = quantity.quantize(CENT)
            if not wanted:
                raise ValidationFailed(_("Enter the quantity returned of at least one line."))
        # A return after invoicing produces a credit note: both numbers are taken together, their
        # counters locked in one order (core.locks).
        credit_note = kind == Return.Kind.RETURNED and current.status in (Status.INVOICED, Status.CLOSED)
        numbers = Sequence.take_each("return", *(["credit_note"] if credit_note else []))
        ret = Return(number=f"TH{numbers['return']:07d}", order=current, customer_id=current.customer_id,
                     owner_id=current.owner_id, office_id=current.office_id, kind=kind, reason=reason,
                     responsible=responsible, returned_on=returned_on, follow_up=(follow_up or "").strip(),
                     recorded_by=by, amount=Decimal("0"))
        return_lines = []
        for pk, quantity in wanted.items():
            line = order_lines[pk]
            # The last units returned take what is left of the line, so the cents add up.
            left_amount = line.amount - sum((r.amount for r in line.return_lines.all()), Decimal("0"))
            amount = left_amount if quantity == line.quantity - line.returned_quantity else \
                (line.amount * quantity / line.quantity).quantize(CENT)
            return_lines.append(ReturnLine(order_line=line, product=line.product, quantity=quantity, amount=amount))
            line.returned_quantity += quantity
            line.save(update_fields=["returned_quantity"])
        ret.amount = sum((r.amount for r in return_lines), Decimal("0"))
        if ret.amount <= 0:
            raise ValidationFailed(_("The returned goods are worth nothing; nothing was recorded."))
        full_clean_or_refuse(ret)
        ret.save()
        for r in return_lines:
            r.ret = ret
        ReturnLine.objects.bulk_create(return_lines)
        current.returned += ret.amount
        if kind == Return.Kind.REFUSED:
            current.status = Status.CANCELLED
            current.cancelled_on = returned_on
            current.cancel_reason = (_("Refused by the customer: %(reason)s") % {"reason": ret.get_reason_display()})[:200]
        current.version += 1
        if kind == Return.Kind.REFUSED:
            save_step(current, by=by)
        else:
            save_by(current, by)
        lists_changed(ORDER_LIST)
        if credit_note:
            CreditNote.objects.create(number=f"CN{numbers['credit_note']:07d}", ret=ret,
                                      customer_id=current.customer_id, amount=ret.amount, issued_on=returned_on)
    return ret


def return_follow_up(*, by, ret: Return, follow_up: str, done: bool) -> Return:
    require(by, TAKE_ORDERS, _("Your role does not record returns."))
    with transaction.atomic():
        current = lock_return(ret.pk)
        current.follow_up = (follow_up or "").strip()
        current.follow_up_done = bool(done)
        current.save(update_fields=["follow_up", "follow_up_done", "updated_at"])
    return current

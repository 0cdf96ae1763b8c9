"""Orders invoiced before the receivables were kept get their invoice, so that no money
owed is lost: the invoice asks what the order asked when it was invoiced (its amount after
returns, plus what later returns credited), due 30 days after, and those credit notes settle
it. Closed orders were paid before; they get none."""

from datetime import timedelta
from decimal import Decimal

from django.db import migrations
from django.db.models import F


def invoices_of_invoiced_orders(apps, schema_editor):
    Order = apps.get_model("sales", "Order")
    Invoice = apps.get_model("receivables", "Invoice")
    Allocation = apps.get_model("receivables", "Allocation")
    CreditNote = apps.get_model("sales", "CreditNote")
    Sequence = apps.get_model("core", "Sequence")
    orders = Order.objects.filter(status="invoiced", invoice__isnull=True).select_related("customer")
    for order in orders.iterator():
        notes = list(CreditNote.objects.filter(ret__order=order).order_by("issued_on", "pk"))
        amount = order.total - order.returned + sum((n.amount for n in notes), Decimal("0"))
        if amount <= 0:
            continue
        Sequence.objects.get_or_create(name="invoice")
        Sequence.objects.filter(name="invoice").update(value=F("value") + 1)
        number = Sequence.objects.get(name="invoice").value
        issued = order.invoiced_on or order.ordered_on
        days = order.customer.payment_days if order.customer.payment_days is not None else 30
        invoice = Invoice.objects.create(number=f"INV{number:08d}", customer_id=order.customer_id, order=order,
                                         issued_on=issued, due_on=issued + timedelta(days=days), amount=amount,
                                         open_amount=amount, created_by_id=order.created_by_id)
        for note in notes:
            part = min(note.amount, invoice.open_amount)
            if part > 0:
                Allocation.objects.create(invoice=invoice, credit_note=note, amount=part,
                                          on=max(note.issued_on, issued), created_by_id=order.created_by_id)
                invoice.open_amount -= part
                invoice.credited += part
        invoice.save()


class Migration(migrations.Migration):
    dependencies = [
        ("receivables", "0001_initial"),
        ("sales", "0001_initial"),
        ("core", "0001_initial"),
    ]

    operations = [migrations.RunPython(invoices_of_invoiced_orders, migrations.RunPython.noop)]

"""The search column gains each name's pinyin initials (issue 12, item 9): recomputed for the
cards already stored, in batches, with their current key people as the services do."""

from django.db import migrations

BATCH = 2000


def recompute(apps, schema_editor):
    from kehu.customers.rules import search_text

    Customer = apps.get_model("customers", "Customer")
    KeyPerson = apps.get_model("customers", "KeyPerson")
    last = 0
    while True:
        batch = list(Customer.objects.filter(pk__gt=last).order_by("pk").only("pk", "name", "code", "phone")[:BATCH])
        if not batch:
            return
        people = {}
        for customer_id, name, phone in KeyPerson.objects.filter(
                customer_id__in=[c.pk for c in batch], is_current=True).values_list("customer_id", "name", "phone"):
            people.setdefault(customer_id, []).append((name, phone))
        for customer in batch:
            customer.search_text = search_text(customer, people.get(customer.pk, []))
        Customer.objects.bulk_update(batch, ["search_text"])
        last = batch[-1].pk


class Migration(migrations.Migration):

    dependencies = [("customers", "0003_customer_payment_days")]

    operations = [migrations.RunPython(recompute, migrations.RunPython.noop, elidable=True)]

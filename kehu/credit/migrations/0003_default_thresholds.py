"""CRD-2 defaults an administrator adjusts in the admin: the director signs every limit, the
sales manager from ¥100,000, the marketing VP from ¥500,000, the GM from ¥1,000,000."""

from decimal import Decimal

from django.db import migrations

DEFAULTS = [("director", "0"), ("sales_manager", "100000"), ("marketing_vp", "500000"),
            ("general_manager", "1000000")]


def add_defaults(apps, schema_editor):
    ApprovalThreshold = apps.get_model("credit", "ApprovalThreshold")
    CreditPolicy = apps.get_model("credit", "CreditPolicy")
    for level, amount in DEFAULTS:
        ApprovalThreshold.objects.get_or_create(level=level, defaults={"min_amount": Decimal(amount)})
    if not CreditPolicy.objects.exists():
        CreditPolicy.objects.create()


class Migration(migrations.Migration):
    dependencies = [("credit", "0002_initial")]
    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]

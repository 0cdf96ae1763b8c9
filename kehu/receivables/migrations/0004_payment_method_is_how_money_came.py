"""A payment records how money came in (AR-1): "on credit (monthly statement)" is a way of
selling and no longer a choice for a payment. Payments recorded with it are kept as "other",
their note saying what they were recorded as, so nothing is lost and every row shows a label."""

from django.db import migrations, models

NOTE = "原登记的付款方式：赊销（月结）"


def credit_to_other(apps, schema_editor):
    Payment = apps.get_model("receivables", "Payment")
    for payment in Payment.objects.filter(method="credit"):
        payment.method = "other"
        payment.note = (f"{payment.note} · {NOTE}" if payment.note else NOTE)[:300]
        payment.save(update_fields=["method", "note"])


class Migration(migrations.Migration):

    dependencies = [
        ("receivables", "0003_ageing_indexes"),
    ]

    operations = [
        migrations.RunPython(credit_to_other, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="payment",
            name="method",
            field=models.CharField(choices=[("cash", "Cash"), ("transfer", "Bank transfer"),
                                            ("acceptance", "Bank acceptance bill"), ("cheque", "Cheque"),
                                            ("other", "Other")], max_length=20, verbose_name="payment method"),
        ),
    ]

"""REST API of the reports: ageing as of any day (AR-3) and the collection rate (AR-4)."""

from datetime import date

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from kehu.core import periods
from kehu.core.api import PeriodQuerySerializer, ReportView, money_field, report_schema
from kehu.receivables import selectors
from kehu.receivables.api._common import PERMISSIONS
from kehu.receivables.models import Invoice

BY_CHOICES = [(key, key) for key in selectors.GROUPS]
# Ageing counts days back from its day: one from the first centuries would fall off the calendar.
EARLIEST = date(1900, 1, 1)


class AgeingQuerySerializer(serializers.Serializer):
    as_of = serializers.DateField(required=False, help_text=_("The day the ledger is read as of; today if left out."))
    by = serializers.ChoiceField(choices=BY_CHOICES, default="customer",
                                 help_text=_("One row per customer, salesperson (owner), office, or one for the "
                                             "company."))

    def validate_as_of(self, value):
        if value < EARLIEST:
            raise serializers.ValidationError(_("Choose a day from %(day)s on.") % {"day": EARLIEST.isoformat()})
        return value


class AgeingRowSerializer(serializers.Serializer):
    key = serializers.IntegerField(allow_null=True, help_text=_("The customer's, salesperson's or office's id."))
    label = serializers.CharField()
    current = money_field(help_text=_("Not yet due."))
    d1_30 = money_field(help_text=_("1–30 days overdue."))
    d31_60 = money_field(help_text=_("31–60 days overdue."))
    d61_90 = money_field(help_text=_("61–90 days overdue."))
    d91_180 = money_field(help_text=_("91–180 days overdue."))
    over_180 = money_field(help_text=_("Over 180 days overdue."))
    open_total = money_field(help_text=_("Open invoices."))
    on_account = money_field(help_text=_("Payments and credit notes not allocated to an invoice."))
    balance = money_field(help_text=_("open_total − on_account: what is owed."))


class AgeingSerializer(serializers.Serializer):
    as_of = serializers.DateField()
    by = serializers.ChoiceField(choices=BY_CHOICES)
    rows = AgeingRowSerializer(many=True)
    total = AgeingRowSerializer()


def _ageing_row(row: selectors.AgeingRow) -> dict:
    return {"key": row.key, "label": str(row.label), **row.buckets, "open_total": row.open_total,
            "on_account": row.on_account, "balance": row.balance}


class ReceivablesReport(ReportView):
    permission_classes = PERMISSIONS
    queryset = Invoice.objects.none()  # for the schema; reads go through the scoped selectors


@report_schema(_("Ageing of receivables"), query=AgeingQuerySerializer, answer=AgeingSerializer)
class AgeingView(ReceivablesReport):
    """GET /ageing/: open receivables in buckets of days overdue (AR-3), reconciling with the ledger."""

    serializer_class = AgeingSerializer
    query_serializer = AgeingQuerySerializer

    def report(self, request, *, by, as_of=None) -> dict:
        as_of = as_of or timezone.localdate()
        rows, total = selectors.ageing(request.user, as_of=as_of, by=by)
        return {"as_of": as_of, "by": by, "rows": [_ageing_row(r) for r in rows], "total": _ageing_row(total)}


class CollectionRateQuerySerializer(PeriodQuerySerializer):
    start = serializers.DateField(required=False, help_text=_("First due date of the period; the first of this "
                                                              "month if left out."))
    end = serializers.DateField(required=False, help_text=_("Last due date of the period; the end of this month "
                                                            "if left out."))
    by = serializers.ChoiceField(choices=BY_CHOICES, default="owner")

    def validate(self, attrs):
        month_start, month_end = periods.month_bounds(timezone.localdate())
        attrs.setdefault("start", month_start)
        attrs.setdefault("end", month_end)
        return super().validate(attrs)


class RateRowSerializer(serializers.Serializer):
    key = serializers.IntegerField(allow_null=True)
    label = serializers.CharField()
    due = money_field(help_text=_("Invoices falling due in the period, less credit notes."))
    collected = money_field(help_text=_("What payments had settled of them by the end of the period."))
    rate = serializers.DecimalField(max_digits=7, decimal_places=1, allow_null=True, read_only=True,
                                    help_text=_("collected ÷ due in %; null when nothing fell due."))


class CollectionRateSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    by = serializers.ChoiceField(choices=BY_CHOICES)
    rows = RateRowSerializer(many=True)
    total = RateRowSerializer()


def _rate_row(row: selectors.RateRow) -> dict:
    return {"key": row.key, "label": str(row.label), "due": row.due, "collected": row.collected, "rate": row.rate}


@report_schema(_("Collection rate in a period"), query=CollectionRateQuerySerializer, answer=CollectionRateSerializer)
class CollectionRateView(ReceivablesReport):
    """GET /collection-rate/: 回款率 = collected ÷ due in a period (AR-4)."""

    serializer_class = CollectionRateSerializer
    query_serializer = CollectionRateQuerySerializer

    def report(self, request, *, start, end, by) -> dict:
        rows, total = selectors.collection_rate(request.user, start=start, end=end, by=by)
        return {"start": start, "end": end, "by": by, "rows": [_rate_row(r) for r in rows], "total": _rate_row(total)}

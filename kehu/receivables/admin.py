"""The collection policy is kept here (AR-1 default terms, AR-2 reminder days); invoices,
receipts and allocations are read here only: they change through receivables.services, so
that every balance stays invoices − payments − credit notes."""

from django.contrib import admin

from kehu.core.admin import ReadOnlyMixin, SettingsRowAdmin
from kehu.receivables.models import Allocation, CollectionPolicy, Invoice, Payment, Promise


@admin.register(CollectionPolicy)
class CollectionPolicyAdmin(SettingsRowAdmin):
    list_display = ["__str__", "payment_days", "reminder_days"]


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["number", "customer", "issued_on", "due_on", "amount", "open_amount", "source"]
    list_filter = ["source"]
    search_fields = ["number", "customer__name", "customer__code"]
    list_select_related = ["customer"]
    show_full_result_count = False


@admin.register(Payment)
class PaymentAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["number", "customer", "received_on", "method", "amount", "unallocated", "reversed_on"]
    list_filter = ["method", "office"]
    search_fields = ["number", "customer__name", "reference"]
    list_select_related = ["customer"]
    show_full_result_count = False


@admin.register(Allocation)
class AllocationAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["invoice", "payment", "credit_note", "amount", "on", "withdrawn_on"]
    list_select_related = ["invoice", "payment", "credit_note"]
    show_full_result_count = False


@admin.register(Promise)
class PromiseAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["customer", "promised_on", "amount", "status", "made_on"]
    list_filter = ["status"]
    list_select_related = ["customer"]
    show_full_result_count = False

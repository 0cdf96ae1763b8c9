"""Credit settings (policy, thresholds) are kept here; limits, requests and signatures are
read here only: they change through the approval chain (credit.services), never by hand."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from kehu.core.admin import ReadOnlyMixin, SettingsRowAdmin
from kehu.credit import models


@admin.register(models.CreditPolicy)
class CreditPolicyAdmin(SettingsRowAdmin):
    list_display = ["__str__", "overdue_block_days", "grade_a_limit", "grade_b_limit",
                    "grade_c_limit", "late_days_warning", "broken_promises_warning"]


@admin.register(models.ApprovalThreshold)
class ApprovalThresholdAdmin(admin.ModelAdmin):
    list_display = ["level", "min_amount"]
    ordering = ["min_amount"]


@admin.register(models.DiscountAllowance)
class DiscountAllowanceAdmin(admin.ModelAdmin):
    """ORD-1: the maximum discount below list price each role confirms on its own authority; a
    role without a row is not limited. Deeper lines wait for a discount approval."""

    list_display = ["role", "max_discount_pct"]


@admin.register(models.FloorPrice)
class FloorPriceAdmin(admin.ModelAdmin):
    """ORD-1: a product's floor price; a line sold below it waits for a discount approval."""

    list_display = ["product", "min_price"]
    list_select_related = ["product"]
    search_fields = ["product__code", "product__name"]
    autocomplete_fields = ["product"]


@admin.register(models.CreditAccount)
class CreditAccountAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = ["customer", "limit", "grade", "approved_at"]
    list_filter = ["grade"]
    list_select_related = ["customer"]
    search_fields = ["customer__name", "customer__code"]


class CreditApprovalInline(ReadOnlyMixin, admin.TabularInline):
    model = models.CreditApproval
    fields = ["level", "decided_by", "decision", "comment", "at"]
    readonly_fields = fields
    extra = 0


@admin.register(models.CreditRequest)
class CreditRequestAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["created_at", "customer", "kind", "amount", "previous_limit", "status", "requested_by"]
    list_filter = ["status", "kind"]
    list_select_related = ["customer", "requested_by"]
    search_fields = ["customer__name", "customer__code"]
    inlines = [CreditApprovalInline]


@admin.register(models.CreditCard)
class CreditCardAdmin(SimpleHistoryAdmin):
    list_display = ["customer", "payment_attitude", "bank_standing", "filled_by", "updated_at"]
    list_filter = ["payment_attitude", "bank_standing"]
    list_select_related = ["customer", "filled_by"]
    search_fields = ["customer__name", "customer__code"]
    raw_id_fields = ["customer", "filled_by"]
    readonly_fields = ["version"]

    def save_model(self, request, obj, form, change):
        # Keep optimistic locking honest: a card open on a page is stale after an admin edit.
        if change:
            obj.version += 1
        super().save_model(request, obj, form, change)

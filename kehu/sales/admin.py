"""The Django admin of products, orders, returns and credit notes. Money fields are read-only:
totals, returns and credit notes change only through sales.services."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from kehu.sales.models import CreditNote, Order, OrderLine, Product, Return, ReturnLine


@admin.register(Product)
class ProductAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "spec", "unit", "list_price", "line", "active"]
    list_filter = ["active", "line"]
    search_fields = ["code", "name"]
    readonly_fields = ["version", "created_at", "updated_at"]


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    extra = 0
    fields = ["product", "quantity", "unit_price", "discount_pct", "amount", "returned_quantity"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Order)
class OrderAdmin(SimpleHistoryAdmin):
    list_display = ["number", "ordered_on", "customer", "owner", "office", "status", "total", "returned"]
    list_filter = ["status", "office"]
    search_fields = ["number", "customer__name", "customer__code"]
    date_hierarchy = "ordered_on"
    list_select_related = ["customer", "owner", "office"]
    raw_id_fields = ["owner"]
    readonly_fields = ["number", "customer", "total", "returned", "status", "version", "created_at", "updated_at", "confirmed_at",
                       "confirmed_by", "created_by"]
    inlines = [OrderLineInline]


class ReturnLineInline(admin.TabularInline):
    model = ReturnLine
    extra = 0
    fields = ["product", "order_line", "quantity", "amount"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Return)
class ReturnAdmin(admin.ModelAdmin):
    list_display = ["number", "returned_on", "order", "customer", "kind", "reason", "amount", "follow_up_done"]
    list_filter = ["kind", "reason", "follow_up_done"]
    search_fields = ["number", "order__number", "customer__name"]
    date_hierarchy = "returned_on"
    list_select_related = ["order", "customer"]
    readonly_fields = ["number", "order", "customer", "owner", "office", "kind", "amount", "recorded_by", "created_at",
                       "updated_at"]
    inlines = [ReturnLineInline]


@admin.register(CreditNote)
class CreditNoteAdmin(admin.ModelAdmin):
    list_display = ["number", "issued_on", "customer", "ret", "amount"]
    search_fields = ["number", "customer__name", "ret__number"]
    date_hierarchy = "issued_on"
    list_select_related = ["customer", "ret"]
    readonly_fields = ["number", "ret", "customer", "amount", "issued_on", "created_at", "updated_at"]

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from kehu.accounts.models import ApiToken, Office, User


@admin.register(Office)
class OfficeAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "receipt_code", "kind", "parent", "path"]
    list_filter = ["kind"]
    search_fields = ["name", "code", "receipt_code"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "display_name", "role", "office", "is_active"]
    list_filter = ["role", "office", "is_active"]
    fieldsets = BaseUserAdmin.fieldsets + ((_("Kehu"), {"fields": ("role", "office", "phone")}),)
    add_fieldsets = BaseUserAdmin.add_fieldsets + ((_("Kehu"), {"fields": ("role", "office")}),)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """PLT-2: who holds which API tokens. A token is made by its owner (its key is shown to them
    once); here it can only be seen and revoked (set "revoked at")."""

    list_display = ["name", "user", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_reason"]
    search_fields = ["name", "user__username", "prefix"]
    fields = ["user", "name", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at", "revoked_reason"]
    readonly_fields = ["user", "name", "prefix", "created_at", "expires_at", "last_used_at"]

    def has_add_permission(self, request):
        return False

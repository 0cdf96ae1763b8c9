from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from kehu.accounts.models import Office, User


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

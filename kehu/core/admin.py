"""Admin mechanisms shared by the apps, and core's own settings row (the company profile)."""

from django.contrib import admin

from kehu.core.models import CompanyProfile, PeriodicRun


class ReadOnlyMixin:
    """Records that change only through their services (the approval chain, the ledger):
    the admin shows them and never edits them."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SettingsRowAdmin(admin.ModelAdmin):
    """A settings row (core.models.SettingsRow): its current() reads the first row, so the
    admin adds one only while there is none, and never deletes it."""

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not self.model.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CompanyProfile)
class CompanyProfileAdmin(SettingsRowAdmin):
    """It heads every printed form."""

    list_display = ["__str__", "tax_no", "phone"]


@admin.register(PeriodicRun)
class PeriodicRunAdmin(admin.ModelAdmin):
    """Which worker ran each periodic task in each period, and how many other queued runs of
    it found the period claimed (docs/deploy.md). Written by the workers only; deleting a
    claim lets the period run again (after a worker was killed in the middle of it)."""

    list_display = ["task", "period", "worker", "skipped", "started_at"]
    list_filter = ["task"]
    search_fields = ["task", "period", "worker"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

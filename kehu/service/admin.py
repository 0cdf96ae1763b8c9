"""Complaint settings (the deadlines by severity) are kept here; complaints and their steps are
read here only: they change through the process (service.services), never by hand."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from kehu.core.admin import ReadOnlyMixin, SettingsRowAdmin
from kehu.service import models


@admin.register(models.ComplaintPolicy)
class ComplaintPolicyAdmin(SettingsRowAdmin):
    """CMP-4: hours from intake to the first response and to the resolution, by severity. A change
    applies to the complaints received from then on."""

    list_display = ["__str__", "respond_medium_hours", "resolve_medium_hours"]


class StepInline(ReadOnlyMixin, admin.TabularInline):
    model = models.ComplaintStep
    fields = ["step", "by", "at", "note"]
    readonly_fields = fields
    extra = 0


class BreachInline(ReadOnlyMixin, admin.TabularInline):
    model = models.Breach
    fields = ["kind", "due_at", "flagged_at", "escalated_to"]
    readonly_fields = fields
    extra = 0


@admin.register(models.Complaint)
class ComplaintAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = ["pk", "customer", "kind", "severity", "status", "step", "handler", "received_at", "resolve_by"]
    list_filter = ["status", "kind", "severity"]
    list_select_related = ["customer", "handler"]
    search_fields = ["customer__name", "customer__code", "words"]
    inlines = [StepInline, BreachInline]


@admin.register(models.AuthorityLimit)
class AuthorityLimitAdmin(admin.ModelAdmin):
    """CMP-2: the largest solution each role proposes to a complainant on its own authority; a role
    without a row is not limited. A larger one is escalated to the next level that may give it."""

    list_display = ["role", "max_amount"]


@admin.register(models.ServiceOrder)
class ServiceOrderAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = ["pk", "customer", "kind", "assignee", "due_on", "status", "rating"]
    list_filter = ["status", "kind"]
    list_select_related = ["customer", "assignee"]
    search_fields = ["customer__name", "customer__code", "description"]


@admin.register(models.ReplyScript)
class ReplyScriptAdmin(admin.ModelAdmin):
    """CMP-5: the complaint patterns of the reply scripts 投诉处理用语, shown on the handling page of
    a matching complaint (its type, a keyword in the customer's words)."""

    list_display = ["title", "kind", "keywords", "active", "order"]
    list_filter = ["active", "kind"]
    list_editable = ["active", "order"]
    search_fields = ["title", "keywords", "example", "say"]


@admin.register(models.Satisfaction)
class SatisfactionAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    """CMP-6: the customers' answers about the handling, read only: they come from the link or
    the handling page."""

    list_display = ["complaint", "rating", "source", "recorded_by", "answered_at"]
    list_filter = ["rating", "source"]
    list_select_related = ["complaint", "recorded_by"]

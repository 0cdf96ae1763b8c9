from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from kehu.core.admin import ReadOnlyMixin, SettingsRowAdmin
from kehu.relations.models import CadencePolicy, FamilyOccasion, Touch


@admin.register(CadencePolicy)
class CadencePolicyAdmin(SettingsRowAdmin):
    list_display = ["__str__", "days_a", "days_b", "days_c", "due_soon_days", "greeting_days_before"]


@admin.register(Touch)
class TouchAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = ["on", "customer", "kind", "purpose", "by"]
    list_filter = ["kind"]
    search_fields = ["customer__name", "customer__code", "purpose"]
    list_select_related = ["customer", "by"]
    raw_id_fields = ["customer", "by"]
    show_full_result_count = False


@admin.register(FamilyOccasion)
class FamilyOccasionAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = ["on", "key_person", "kind", "whose", "yearly", "created_by"]
    list_filter = ["kind", "yearly"]
    search_fields = ["key_person__name", "key_person__customer__name", "whose"]
    list_select_related = ["key_person", "created_by"]
    raw_id_fields = ["key_person", "created_by"]

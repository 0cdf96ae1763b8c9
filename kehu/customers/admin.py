"""The customer pool's rules (CUS-7) are kept here; customers change through their services."""

from django.contrib import admin

from kehu.core.admin import SettingsRowAdmin
from kehu.customers import models


@admin.register(models.PoolPolicy)
class PoolPolicyAdmin(SettingsRowAdmin):
    """CUS-7: the days without a touch or a sale after which a customer of each grade returns to the
    pool, the notice to its owner, and how many customers one salesperson may own."""

    list_display = ["__str__", "days_a", "days_b", "days_c", "notice_days", "owner_limit"]

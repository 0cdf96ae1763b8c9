"""The referral rules (REF-1) are kept here; referrals change through loyalty's services."""

from django.contrib import admin

from kehu.core.admin import SettingsRowAdmin
from kehu.loyalty import models


@admin.register(models.ReferralPolicy)
class ReferralPolicyAdmin(SettingsRowAdmin):
    """REF-1: a referred prospect not contacted within these hours is flagged to its owner and their manager."""

    list_display = ["__str__", "contact_hours"]


@admin.register(models.WinBackPolicy)
class WinBackPolicyAdmin(SettingsRowAdmin):
    """WIN-1: when a customer who stopped buying is at risk and when lost."""

    list_display = ["__str__", "at_risk_factor", "lost_factor", "min_purchases", "interval_a", "interval_b",
                    "interval_c"]

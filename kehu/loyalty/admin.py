"""The referral rules (REF-1) are kept here; referrals change through loyalty's services."""

from django.contrib import admin

from kehu.core.admin import SettingsRowAdmin
from kehu.loyalty import models


@admin.register(models.ReferralPolicy)
class ReferralPolicyAdmin(SettingsRowAdmin):
    """REF-1: a referred prospect not contacted within these hours is flagged to its owner and their manager."""

    list_display = ["__str__", "contact_hours"]

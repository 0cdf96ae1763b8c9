"""Dashboards: read-only pages built on the other apps' selectors and registered cards."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from kehu.core.registry import registry
from kehu.core.scopes import scope_of
from kehu.customers.selectors import customers_visible_to, incomplete_cards_for, personnel_changes_for


@login_required
def home(request):
    """Today's page: what needs the user's attention in their scope. The money cards and
    others come from the apps that registered them (core.registry.Card)."""
    return render(request, "insights/home.html", {
        "scope": scope_of(request.user),
        "customer_count": customers_visible_to(request.user).count(),
        "incomplete": incomplete_cards_for(request.user),
        "events": personnel_changes_for(request.user),
        "reports": registry.reports_for(request.user),
    })

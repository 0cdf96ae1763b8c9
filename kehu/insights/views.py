"""Dashboards: read-only pages built on the other apps' selectors."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from kehu.core.scopes import scope_of
from kehu.customers.models import CustomerEvent
from kehu.customers.selectors import customers_visible_to, recent_events_for
from kehu.receivables.selectors import headline_for


@login_required
def home(request):
    """Today's page: what needs the user's attention in their scope."""
    customers = customers_visible_to(request.user)
    context = {
        "scope": scope_of(request.user),
        "customer_count": customers.count(),
        "incomplete": customers.filter(completeness__lt=60).order_by("completeness", "id")[:10],
        "events": recent_events_for(request.user, kind=CustomerEvent.Kind.KEY_PERSON_CHANGED),
        # AR-4: sales and collection rate, a salesperson's two headline measures; overdue and
        # today's collection work (None for users who do not see receivables).
        "money": headline_for(request.user),
    }
    return render(request, "insights/home.html", context)

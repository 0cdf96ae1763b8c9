"""The inbox (PLT-4): one's own reminders, read or unread, marked read one by one or all at
once; and the page where a user chooses how they are told."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kehu.core.access import require
from kehu.core.filtering import filterset_for
from kehu.core.pagination import list_page
from kehu.core.views import next_url
from kehu.reminders import selectors, services
from kehu.reminders.capabilities import RECEIVE_REMINDERS
from kehu.reminders.filters import InboxFilter


@login_required
def inbox(request):
    require(request.user, RECEIVE_REMINDERS)
    filterset = filterset_for(request, InboxFilter, selectors.inbox_of(request.user))
    page = list_page(request, filterset.qs, rows=selectors.inbox_rows(), generation=selectors.INBOX_LIST)
    return render(request, "reminders/inbox.html", {
        "filter": filterset, "page": page, "state_choices": InboxFilter.base_filters["state"].extra["choices"],
        "unread": selectors.unread_count(request.user)})


def _back(request):
    return redirect(next_url(request) or "reminders:inbox")


@login_required
@require_POST
def read(request, pk):
    reminder = selectors.reminder_get_for_user(user=request.user, pk=pk)
    services.reminder_read(by=request.user, reminder=reminder)
    return _back(request)


@login_required
@require_POST
def open_reminder(request, pk):
    """Open what a reminder is about, marking it read on the way."""
    reminder = selectors.reminder_get_for_user(user=request.user, pk=pk)
    services.reminder_read(by=request.user, reminder=reminder)
    return redirect(next_url(request, reminder.url) or "reminders:inbox")


@login_required
@require_POST
def read_all(request):
    require(request.user, RECEIVE_REMINDERS)
    count = services.reminders_read_all(by=request.user)
    messages.success(request, _("Marked read: %(count)d.") % {"count": count})
    return _back(request)


@login_required
def settings_page(request):
    from kehu.reminders.forms import PreferenceForm

    require(request.user, RECEIVE_REMINDERS)
    preference = selectors.preference_of(request.user)
    form = PreferenceForm(request.POST or None, instance=preference)
    if request.method == "POST" and form.is_valid():
        services.preference_save(by=request.user, **form.cleaned_data)
        messages.success(request, _("Your reminder settings are saved."))
        return redirect("reminders:settings")
    return render(request, "reminders/settings.html", {"form": form})

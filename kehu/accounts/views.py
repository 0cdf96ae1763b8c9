from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.forms import Form
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from kehu.accounts import selectors, services
from kehu.accounts.forms import ApiTokenForm, LoginForm
from kehu.core.errors import UserInputError
from kehu.core.forms import apply_field_errors
from kehu.core.views import post_step


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def api_tokens(request):
    """PLT-2: the user's own API tokens, and a new one — whose key this answer shows once."""
    form = ApiTokenForm(request.POST if request.method == "POST" else None)
    made = None
    if form.is_bound and form.is_valid():
        try:
            made = services.api_token_create(by=request.user, name=form.cleaned_data["name"],
                                             days=form.cleaned_data["days"])
        except UserInputError as exc:
            apply_field_errors(form, exc)
        else:
            form = ApiTokenForm()
    return render(request, "accounts/api_tokens.html", {
        "tokens": list(selectors.api_tokens_of(request.user)), "form": form, "made": made})


@login_required
@require_POST
def api_token_revoke(request, pk):
    token = selectors.api_token_get_for_user(user=request.user, pk=pk)
    return post_step(request, Form(request.POST), lambda data: services.api_token_revoke(by=request.user, token=token),
                     back=reverse("api_tokens"),
                     done=_("The token “%(name)s” was revoked; programs using it are refused from now on.")
                     % {"name": token.name})

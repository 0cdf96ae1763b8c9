"""The API token pages in the permission matrix (kehu/core/tests/test_permission_matrix.py): a
token is its owner's alone; anyone else gets 404 (PLT-2)."""

from functools import partial

from kehu.core.tests.matrix import Route, count

Tokens = partial(Route, scoped=False, rule="PLT-2")


def owners_token(ctx, side) -> dict:
    """A token of the Shanghai salesperson `owner`, made through the service."""
    from kehu.accounts.services import api_token_create

    return {"pk": api_token_create(by=ctx.users["owner"], name="ERP").token.pk}


def token_owner(role, side) -> bool:
    return role == "owner"


def revoked(made):
    from kehu.accounts.models import ApiToken

    return ApiToken.objects.get(pk=made["pk"]).revoked_at


ROUTES = [
    Tokens("api_tokens"),
    Tokens("api_tokens", method="post", data={"name": "脚本", "days": "30"}, state=count("accounts.ApiToken")),
    Tokens("api_token_revoke", owners_token, "post", who=token_owner, not_who=404, ok=302, state=revoked),
]

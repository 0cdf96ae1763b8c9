"""Test data of accounts, made through the services."""

from kehu.accounts import services


def api_token(*, by, name: str = "报表脚本", days: int | None = None) -> services.NewToken:
    return services.api_token_create(by=by, name=name, days=days)

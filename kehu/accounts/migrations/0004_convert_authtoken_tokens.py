"""PLT-2: the tokens of DRF's authtoken (kept in plain in `authtoken_token`) become ApiTokens
kept by their hash: each key keeps working, for KEHU_API_TOKEN_DAYS from now, and the plain
keys are deleted. A database that never had authtoken has nothing to convert."""

import hashlib
from datetime import UTC, timedelta

from django.conf import settings
from django.db import migrations
from django.utils import timezone
from django.utils.dateparse import parse_datetime

OLD_TABLE = "authtoken_token"
CONVERTED_NAME = "旧令牌 / earlier token"


def _moment(value):
    """The old row's creation time (SQLite hands a raw query its text, stored in UTC)."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is None:
        return timezone.now()
    return timezone.make_aware(value, UTC) if timezone.is_naive(value) else value


def convert_authtoken_tokens(apps, schema_editor):
    connection = schema_editor.connection
    if OLD_TABLE not in connection.introspection.table_names():
        return
    ApiToken = apps.get_model("accounts", "ApiToken")
    quoted = connection.ops.quote_name(OLD_TABLE)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {connection.ops.quote_name('key')}, user_id, created FROM {quoted}")  # noqa: S608
        rows = cursor.fetchall()
    expires = timezone.now() + timedelta(days=settings.KEHU_API_TOKEN_DAYS)
    ApiToken.objects.bulk_create([
        ApiToken(user_id=user_id, name=CONVERTED_NAME, digest=hashlib.sha256(key.encode()).hexdigest(),
                 prefix=key[:6], created_at=_moment(created), expires_at=expires)
        for key, user_id, created in rows])
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {quoted}")  # noqa: S608


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_api_token")]

    operations = [migrations.RunPython(convert_authtoken_tokens, migrations.RunPython.noop, elidable=True)]

"""Domain errors. Services raise these with a message fit for the user; views show the
message, the API answers 400/403/409 with it."""


class DomainError(Exception):
    """A business rule refused the request; nothing was changed."""

    status = 400
    code = "invalid"

    def __init__(self, message, *, field_errors: dict | None = None):
        super().__init__(str(message))
        self.message = message
        self.field_errors = field_errors or {}


class UserInputError(DomainError):
    """The user can correct this (bad value, stale copy, duplicate): pages show the message
    on the form. Permission errors are not of this kind: they become a 403 page."""


class ValidationFailed(UserInputError):
    code = "validation"


class PermissionDeniedError(DomainError):
    status = 403
    code = "forbidden"


class StaleEdit(UserInputError):
    """Optimistic locking: the record changed since the user opened it."""

    status = 409
    code = "stale"


def full_clean_or_refuse(instance, *, exclude=None, constraints: bool = True) -> None:
    """Run the model's own validation; a failure becomes ValidationFailed with the first
    message and every field's messages, as services raise them. `constraints=False` leaves out
    the model's constraints, which Django checks with one query each: an import of many rows
    checks them itself, in bulk (the database still enforces them)."""
    from django.core.exceptions import ValidationError

    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=constraints)
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        raise ValidationFailed(next(iter(errors.values()))[0], field_errors=errors) from exc

"""Admin mechanisms shared by the apps."""


class ReadOnlyMixin:
    """Records that change only through their services (the approval chain, the ledger):
    the admin shows them and never edits them."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

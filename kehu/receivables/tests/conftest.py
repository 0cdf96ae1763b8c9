"""Fixtures of the receivables tests."""

import pytest

from kehu.sales.tests.builders import overdue_allowed


@pytest.fixture
def old_invoices_allowed(db):
    """These tests make old invoices on purpose: CRD-3 must not block the next order for them
    (a module asks with pytest.mark.usefixtures("old_invoices_allowed"))."""
    overdue_allowed()

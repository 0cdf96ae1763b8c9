"""accounts/models.py: the office tree and a user's office subtree (the scopes of CUS-5)."""

import pytest

from conftest import rule
from kehu.accounts.models import subtree_of

pytestmark = pytest.mark.django_db


@rule("CUS-5")
def test_it_finds_an_office_and_every_office_below_it(offices):
    ids = {name: office.pk for name, office in offices.items()}
    assert sorted(subtree_of(ids["east"])) == sorted([ids["east"], ids["shanghai"], ids["team"],
                                                            ids["hangzhou"]])
    assert sorted(subtree_of(ids["shanghai"])) == sorted([ids["shanghai"], ids["team"]])
    assert subtree_of(ids["team"]) == [ids["team"]]
    assert len(subtree_of(ids["hq"])) == 5
    assert subtree_of(None) == []
    assert subtree_of(999_999) == []

"""core.db.prepare_insert (issue 13, INS-2): the rows of an import are made ready before the
write transaction and inserted inside it, each object getting the id of its own row, on SQLite
(one executemany) and on PostgreSQL (bulk_create) alike."""

import pytest
from django.db import transaction

from kehu.core.db import prepare_insert
from kehu.core.models import Sequence

pytestmark = pytest.mark.django_db


def test_every_object_gets_the_id_of_its_own_row_after_deleted_rows():
    Sequence.objects.bulk_create([Sequence(name=f"old-{n}", value=n) for n in range(5)])
    Sequence.objects.filter(name__in=["old-3", "old-4"]).delete()  # the last ids are gone
    new = [Sequence(name=f"new-{n}", value=n * 7) for n in range(300)]
    rows = prepare_insert(Sequence, new)
    with transaction.atomic():
        rows.write()
    stored = dict(Sequence.objects.filter(name__startswith="new-").values_list("pk", "name"))
    assert {obj.pk: obj.name for obj in new} == stored
    assert [Sequence.objects.get(pk=obj.pk).value for obj in new[:3]] == [0, 7, 14]
    assert not new[0]._state.adding


def test_a_write_that_fails_leaves_no_row():
    Sequence.objects.create(name="taken")
    rows = prepare_insert(Sequence, [Sequence(name="fresh"), Sequence(name="taken")])
    with pytest.raises(Exception), transaction.atomic():  # noqa: B017 -- the backend's IntegrityError
        rows.write()
    assert not Sequence.objects.filter(name="fresh").exists()


@pytest.mark.django_db(transaction=True)  # a test's own transaction would hide the missing one
def test_the_insert_belongs_in_a_transaction():
    with pytest.raises(RuntimeError):
        prepare_insert(Sequence, [Sequence(name="loose")]).write()


def test_a_card_inserted_prepared_reads_back_as_the_one_saved_the_usual_way():
    """Every column of a customer card written by prepare_insert (text passed through, JSON,
    decimals, dates, foreign keys) reads back as the same card saved by Django."""
    import datetime
    from decimal import Decimal

    from django.forms.models import model_to_dict

    from kehu.customers.models import Customer

    def card(code):
        return Customer(code=code, name="上海“恒丰”商贸 <有限> 公司 ✓", address="", phone="021-5555 0101",
                        product_lines="饮料 60%; 零食 40%", transport_modes=["truck"],
                        founded_on=datetime.date(1999, 12, 31), grade="B", payment_days=30,
                        registered_capital=Decimal("1234567.89"), shop_area=Decimal("80.5"))

    usual = card("KH-USUAL")
    usual.save()
    prepared = card("KH-PREP")
    rows = prepare_insert(Customer, [prepared])
    with transaction.atomic():
        rows.write()
    ignore = {"id", "code", "created_at", "updated_at"}
    read = {k: v for k, v in model_to_dict(Customer.objects.get(pk=prepared.pk)).items() if k not in ignore}
    assert read == {k: v for k, v in model_to_dict(Customer.objects.get(pk=usual.pk)).items() if k not in ignore}

"""A choice left empty is said in the OpenAPI schema (PLT-2): a model's choice field that may be
blank (a complaint's cause before the investigation) answers "" — and a read-only serializer
field loses DRF's allow_blank unless it is given again, so the schema's enum refused the
API's own answers (found by the fuzzer: GET /api/v1/complaints/)."""

import importlib
import pkgutil

from rest_framework import serializers

import kehu
from conftest import rule


def _serializers():
    for module in pkgutil.walk_packages(kehu.__path__, "kehu."):
        if ".tests" not in module.name and (module.name.endswith((".api", "_api")) or ".api." in module.name):
            importlib.import_module(module.name)
    found, todo = set(), [serializers.ModelSerializer]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub not in found:
                found.add(sub)
                todo.append(sub)
    return sorted((s for s in found if s.__module__.startswith("kehu.")), key=lambda s: (s.__module__, s.__name__))


@rule("PLT-2")
def test_every_choice_a_record_may_leave_empty_allows_the_empty_answer_in_the_api():
    missing = []
    for serializer in _serializers():
        model = serializer.Meta.model
        for name, field in serializer().get_fields().items():
            if not isinstance(field, serializers.ChoiceField) or field.allow_blank:
                continue
            source = field.source if field.source not in (None, "*") else name
            try:
                model_field = model._meta.get_field(source)
            except Exception:  # noqa: S112 -- not a column of the model (a method or a relation's)
                continue
            if model_field.choices and model_field.blank and not model_field.null:
                missing.append(f"{serializer.__module__}.{serializer.__name__}.{name}")
    assert len(_serializers()) > 10
    assert missing == []

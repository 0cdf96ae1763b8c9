"""The layers of docs/architecture.md hold in templates too (lint-imports checks the Python):
a template loads tag libraries and names URL namespaces only of its own app or of apps below it.
Upper apps show themselves on lower pages by registering (core.registry)."""

import re
import tomllib
from pathlib import Path

from django.conf import settings

KEHU = Path(settings.BASE_DIR)
# Tag libraries and URL namespaces by the app that defines them.
LIBRARIES = {"kehu": "core", "credit": "credit", "receivables": "receivables", "receivables_ledger": "receivables"}
NAMESPACES = {"customers": "customers", "sales": "sales", "credit": "credit", "receivables": "receivables",
              "accounts": "accounts", "reminders": "reminders"}


def layer_order() -> list[str]:
    """App names from the bottom layer up, from the import contract in pyproject.toml."""
    config = tomllib.loads((KEHU.parent / "pyproject.toml").read_text(encoding="utf-8"))
    layers = config["tool"]["importlinter"]["contracts"][0]["layers"]
    apps = []
    for layer in reversed(layers):
        for name in re.findall(r"kehu\.(\w+)", layer):
            apps.append(name)
    return apps


def rank(app: str, order: list[str]) -> int:
    return order.index(app) if app in order else len(order)


def test_it_keeps_templates_from_naming_upper_apps():
    order = layer_order()
    wrong = []
    for template in [*KEHU.glob("*/templates/**/*.html"), *KEHU.glob("*/jinja2/**/*.html")]:
        app = template.relative_to(KEHU).parts[0]
        text = template.read_text(encoding="utf-8")
        used = {LIBRARIES[lib] for load in re.findall(r"{%\s*load ([^%]+)%}", text)
                for lib in load.split() if lib in LIBRARIES}
        used |= {NAMESPACES[ns] for ns in re.findall(r"{%\s*url\s+['\"](\w+):", text) if ns in NAMESPACES}
        used |= {NAMESPACES[ns] for ns in re.findall(r"url\(['\"](\w+):", text) if ns in NAMESPACES}  # row templates
        used |= {NAMESPACES[ns] for ns in re.findall(r"{%\s*(?:include|jinja)\s+['\"](\w+)/", text) if ns in NAMESPACES}
        wrong += [f"{template.relative_to(KEHU)} → {other}" for other in used if rank(other, order) > rank(app, order)]
    assert not wrong, wrong


def test_it_reads_the_layers_bottom_up():
    order = layer_order()
    # reminders right above accounts: every app from customers up sends through it (PLT-4).
    assert order[:7] == ["core", "accounts", "reminders", "customers", "sales", "receivables", "credit"]
    assert order.index("insights") > order.index("credit") and order[-1] == "demo"

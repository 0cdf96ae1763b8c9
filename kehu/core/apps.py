from importlib import import_module

from django.apps import AppConfig, apps
from django.utils.module_loading import autodiscover_modules, module_has_submodule
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "kehu.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self):
        # The SQLite database is readable by its owner only (core.private).
        from django.db.backends.signals import connection_created

        from kehu.core.private import keep_sqlite_private

        connection_created.connect(keep_sqlite_private, dispatch_uid="kehu-sqlite-private")
        # The capability table is the union of every app's `capabilities` module (core.capabilities).
        autodiscover_modules("capabilities")
        # What each app shows on other apps' pages: its `registrations.register()` (core.registry),
        # called once all models are loaded, apps in INSTALLED_APPS order.
        from kehu.core.registry import NavEntry, registry

        registry.add(NavEntry(key="api", label=_("API"), url_name="swagger-ui", order=900))
        for config in apps.get_app_configs():
            if config.name.startswith("kehu.") and module_has_submodule(config.module, "registrations"):
                import_module(f"{config.name}.registrations").register()

from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "kehu.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self):
        # The capability table is the union of every app's capabilities module (core.capabilities);
        # each app's registrations (core.registry) come from its own AppConfig.ready().
        autodiscover_modules("capabilities")
        from kehu.core.registry import NavEntry, registry

        registry.add(NavEntry(key="api", label=_("API"), url_name="swagger-ui", order=900))

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from kehu.core import views as core_views
from kehu.insights import views as insights_views

urlpatterns = [
    path("", insights_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("accounts/", include("kehu.accounts.urls")),
    path("customers/", include("kehu.customers.urls")),
    path("sales/", include("kehu.sales.urls")),
    path("credit/", include("kehu.credit.urls")),
    path("receivables/", include("kehu.receivables.urls")),
    path("relations/", include("kehu.relations.urls")),
    path("service/", include("kehu.service.urls")),
    path("loyalty/", include("kehu.loyalty.urls")),
    path("reminders/", include("kehu.reminders.urls")),
    path("jobs/", include("kehu.core.urls")),
    path("panels/<slug:page>/<slug:key>/<int:pk>/", core_views.panel, name="panel"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("kehu.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # Both readers load only our own files, without inline script (the Content-Security-Policy).
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema", template_name="core/redoc.html"), name="redoc"),
]

handler400 = "kehu.core.views.bad_request"
handler403 = "kehu.core.views.permission_denied"
handler404 = "kehu.core.views.page_not_found"
handler500 = "kehu.core.views.server_error"

"""All REST endpoints under /api/v1/ (PLT-2). Each app registers its viewsets here."""

from django.urls import path
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import DefaultRouter

from kehu.customers import api as customers_api

router = DefaultRouter()
router.register("customers", customers_api.CustomerViewSet, basename="customer")
router.register("key-people", customers_api.KeyPersonViewSet, basename="key-person")

urlpatterns = [path("auth/token/", obtain_auth_token, name="api-token"), *router.urls]

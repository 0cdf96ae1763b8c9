"""All REST endpoints under /api/v1/ (PLT-2). Each app registers its viewsets here."""

from django.urls import path
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import DefaultRouter

from kehu.credit import api as credit_api
from kehu.customers import api as customers_api
from kehu.sales import api as sales_api

router = DefaultRouter()
router.register("customers", customers_api.CustomerViewSet, basename="customer")
router.register("key-people", customers_api.KeyPersonViewSet, basename="key-person")
router.register("products", sales_api.ProductViewSet, basename="product")
router.register("orders", sales_api.OrderViewSet, basename="order")
router.register("returns", sales_api.ReturnViewSet, basename="return")
router.register("credit-requests", credit_api.CreditRequestViewSet, basename="credit-request")

urlpatterns = [
    path("auth/token/", obtain_auth_token, name="api-token"),
    # Credit's endpoints on the order's and the customer's URLs (CRD-3): confirming is a credit decision.
    path("orders/<int:pk>/confirm/", credit_api.OrderConfirmView.as_view(), name="order-confirm"),
    path("customers/<int:pk>/credit/", credit_api.CustomerCreditView.as_view(), name="customer-credit"),
    *router.urls,
]

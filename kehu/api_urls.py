"""All REST endpoints under /api/v1/ (PLT-2). Each app registers its viewsets here."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from kehu.accounts.api import ObtainTokenView
from kehu.core.api import JobView
from kehu.credit import api as credit_api
from kehu.customers import api as customers_api
from kehu.loyalty import api as loyalty_api
from kehu.receivables import api as receivables_api
from kehu.relations import api as relations_api
from kehu.sales import api as sales_api
from kehu.service import aftersale_api
from kehu.service import api as service_api

router = DefaultRouter()
router.register("customers", customers_api.CustomerViewSet, basename="customer")
router.register("pool", customers_api.PoolViewSet, basename="pool")
router.register("key-people", customers_api.KeyPersonViewSet, basename="key-person")
router.register("products", sales_api.ProductViewSet, basename="product")
router.register("orders", sales_api.OrderViewSet, basename="order")
router.register("returns", sales_api.ReturnViewSet, basename="return")
router.register("credit-requests", credit_api.CreditRequestViewSet, basename="credit-request")
router.register("invoices", receivables_api.InvoiceViewSet, basename="invoice")
router.register("payments", receivables_api.PaymentViewSet, basename="payment")
router.register("allocations", receivables_api.AllocationViewSet, basename="allocation")
router.register("promises", receivables_api.PromiseViewSet, basename="promise")
router.register("collection-plans", receivables_api.CollectionPlanViewSet, basename="collection-plan")
router.register("touches", relations_api.TouchViewSet, basename="touch")
router.register("market-reports", relations_api.MarketReportViewSet, basename="market-report")
router.register("referrals", loyalty_api.ReferralViewSet, basename="referral")
router.register("lost-customers", loyalty_api.DefectionViewSet, basename="defection")
router.register("dealer-checks", relations_api.DealerCheckViewSet, basename="dealer-check")
router.register("support-plans", relations_api.SupportPlanViewSet, basename="support-plan")
router.register("family-occasions", relations_api.FamilyOccasionViewSet, basename="family-occasion")
router.register("complaints", service_api.ComplaintViewSet, basename="complaint")
router.register("service-orders", aftersale_api.ServiceOrderViewSet, basename="service-order")
router.register("commitments", aftersale_api.CommitmentViewSet, basename="commitment")
router.register("follow-ups", aftersale_api.FollowUpViewSet, basename="follow-up")

urlpatterns = [
    path("auth/token/", ObtainTokenView.as_view(), name="api-token"),
    path("jobs/<int:pk>/", JobView.as_view(), name="api-job"),
    # Credit's endpoints on the order's and the customer's URLs (CRD-3): confirming is a credit decision.
    path("orders/<int:pk>/confirm/", credit_api.OrderConfirmView.as_view(), name="order-confirm"),
    # Receivables' steps on the order's URL (AR-1, ORD-2): invoicing and returns write money,
    # closing needs the invoice settled.
    path("orders/<int:pk>/invoice/", receivables_api.OrderInvoiceView.as_view(), name="order-invoice"),
    path("orders/<int:pk>/close/", receivables_api.OrderCloseView.as_view(), name="order-close"),
    path("orders/<int:pk>/returns/", receivables_api.OrderReturnView.as_view(), name="order-returns"),
    path("customers/<int:pk>/credit/", credit_api.CustomerCreditView.as_view(), name="customer-credit"),
    path("ageing/", receivables_api.AgeingView.as_view(), name="ageing"),
    path("collection-rate/", receivables_api.CollectionRateView.as_view(), name="collection-rate"),
    path("contacts-due/", relations_api.DueView.as_view(), name="contacts-due"),
    path("referral-conversion/", loyalty_api.ConversionView.as_view(), name="referral-conversion"),
    path("win-back/", loyalty_api.WinBackReportView.as_view(), name="win-back"),
    path("plan/", relations_api.PlanView.as_view(), name="plan"),
    path("market-report-counts/", relations_api.MarketCountView.as_view(), name="market-report-counts"),
    path("plan-items/<int:pk>/tick/", relations_api.PlanTickView.as_view(), name="plan-item-tick"),
    path("support-items/<int:pk>/done/", relations_api.SupportItemDoneView.as_view(), name="support-item-done"),
    path("complaint-analysis/", service_api.ComplaintAnalysisView.as_view(), name="complaint-analysis"),
    *router.urls,
]

from django.urls import path

from kehu.sales import views

app_name = "sales"
urlpatterns = [
    path("products/", views.product_list, name="product_list"),
    path("products/export.xlsx", views.product_export, name="product_export"),
    path("products/import/", views.product_import, name="product_import"),
    path("orders/", views.order_list, name="order_list"),
    path("orders/export.xlsx", views.order_export, name="order_export"),
    path("orders/new/", views.order_create, name="order_create"),
    path("orders/new/customers/", views.order_customer_options, name="order_customer_options"),
    path("orders/<int:pk>/", views.order_detail, name="order_detail"),
    path("orders/<int:pk>/edit/", views.order_edit, name="order_edit"),
    path("orders/<int:pk>/advance/", views.order_advance, name="order_advance"),
    path("returns/", views.return_list, name="return_list"),
    path("returns/analysis/", views.returns_analysis, name="returns_analysis"),
    path("returns/<int:pk>/", views.return_detail, name="return_detail"),
    path("returns/<int:pk>/follow-up/", views.return_follow_up, name="return_follow_up"),
]

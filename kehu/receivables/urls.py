from django.urls import path

from kehu.receivables import collection_views, views

app_name = "receivables"
urlpatterns = [
    # --- ledger pages (views.py) ---
    path("invoices/", views.invoice_list, name="invoice_list"),
    path("invoices/export.xlsx", views.invoice_export, name="invoice_export"),
    path("invoices/import/", views.invoice_import, name="invoice_import"),
    path("invoices/import/template.xlsx", views.invoice_import_template, name="invoice_import_template"),
    path("invoices/<int:pk>/", views.invoice_detail, name="invoice_detail"),
    path("payments/", views.payment_list, name="payment_list"),
    path("payments/export.xlsx", views.payment_export, name="payment_export"),
    path("payments/new/", views.payment_create, name="payment_create"),
    path("payments/<int:pk>/", views.payment_detail, name="payment_detail"),
    path("payments/<int:pk>/allocate/", views.payment_allocate, name="payment_allocate"),
    path("payments/<int:pk>/reverse/", views.payment_reverse, name="payment_reverse"),
    path("payments/<int:pk>/receipt/", views.payment_receipt, name="payment_receipt"),
    path("orders/<int:pk>/plan/", views.plan_create, name="plan_create"),
    path("orders/<int:pk>/invoice/", views.order_invoice, name="order_invoice"),
    path("orders/<int:pk>/close/", views.order_close, name="order_close"),
    path("orders/<int:pk>/return/", views.return_create, name="return_create"),
    path("plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/void/", views.plan_void, name="plan_void"),
    path("customers/<int:pk>/ledger/", views.customer_ledger, name="customer_ledger"),
    path("customers/<int:pk>/ledger/export.xlsx", views.customer_ledger_export, name="customer_ledger_export"),
    # --- end ledger pages ---
    # --- collection and reports (collection_views.py) ---
    path("ageing/", collection_views.ageing, name="ageing"),
    path("ageing/export.xlsx", collection_views.ageing_export, name="ageing_export"),
    path("ageing/invoices/", collection_views.ageing_invoices, name="ageing_invoices"),
    path("collection-rate/", collection_views.collection_rate, name="collection_rate"),
    path("collection-rate/export.xlsx", collection_views.collection_rate_export, name="collection_rate_export"),
    path("collection/", collection_views.collection_work, name="collection_work"),
    path("customers/<int:pk>/attempt/", collection_views.attempt_create, name="attempt_create"),
    path("promises/", collection_views.promise_list, name="promise_list"),
    path("promises/<int:pk>/cancel/", collection_views.promise_cancel, name="promise_cancel"),
    # --- end collection and reports ---
]

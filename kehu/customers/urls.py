from django.urls import path

from kehu.customers import views

app_name = "customers"
urlpatterns = [
    path("", views.customer_list, name="list"),
    path("export.xlsx", views.customer_export, name="export"),
    path("new/", views.customer_create, name="create"),
    path("import/", views.customer_import, name="import"),
    path("reassign/", views.customer_reassign, name="reassign"),
    path("pool/", views.pool_list, name="pool"),
    path("pool/export.xlsx", views.pool_export, name="pool_export"),
    path("pool/assign/", views.pool_assign, name="pool_assign"),
    path("pool/<int:pk>/claim/", views.pool_claim, name="pool_claim"),
    path("<int:pk>/", views.customer_detail, name="detail"),
    path("<int:pk>/edit/", views.customer_edit, name="edit"),
    path("<int:pk>/print/", views.customer_print, name="print"),
    path("<int:pk>/notes/", views.note_add, name="note_add"),
    path("<int:pk>/people/new/", views.key_person_add, name="person_add"),
    path("<int:pk>/people/<int:person_pk>/", views.key_person_edit, name="person_edit"),
]

from django.urls import path

from kehu.credit import views

app_name = "credit"
urlpatterns = [
    path("queue/", views.approval_queue, name="queue"),
    path("requests/", views.request_list, name="requests"),
    path("requests/<int:pk>/", views.request_detail, name="request_detail"),
    path("requests/<int:pk>/decide/", views.request_decide, name="request_decide"),
    path("requests/<int:pk>/withdraw/", views.request_withdraw, name="request_withdraw"),
    path("levels/", views.levels_preview, name="levels"),
    path("misfits/", views.misfits, name="misfits"),
    path("misfits/export.xlsx", views.misfits_export, name="misfits_export"),
    path("customers/<int:pk>/card/", views.card_detail, name="card"),
    path("customers/<int:pk>/card/edit/", views.card_edit, name="card_edit"),
    path("customers/<int:pk>/card/print/", views.card_print, name="card_print"),
    path("customers/<int:pk>/limit/", views.limit_request, name="request_limit"),
    path("orders/<int:pk>/confirm/", views.order_confirm, name="order_confirm"),
    path("orders/<int:pk>/override/", views.order_override, name="order_override"),
    path("orders/<int:pk>/discount/", views.order_discount, name="order_discount"),
]

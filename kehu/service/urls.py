from django.urls import path

from kehu.service import after_views, aftersale_views, views

app_name = "service"
urlpatterns = [
    path("complaints/", views.complaint_list, name="complaint_list"),
    path("complaints/export.xlsx", views.complaint_export, name="complaint_export"),
    path("complaints/<int:pk>/", views.complaint_detail, name="complaint_detail"),
    path("complaints/<int:pk>/step/", views.complaint_step, name="complaint_step"),
    path("complaints/<int:pk>/close/", views.complaint_close, name="complaint_close"),
    path("complaints/<int:pk>/escalate/", views.complaint_escalate, name="complaint_escalate"),
    path("complaints/<int:pk>/decide/", views.complaint_decide, name="complaint_decide"),
    path("complaints/<int:pk>/changes/", views.complaint_change, name="complaint_change"),
    path("complaints/<int:pk>/changes/kept/", views.complaint_change_kept, name="complaint_change_kept"),
    path("customers/<int:pk>/complaints/new/", views.complaint_create, name="complaint_create"),
    path("orders/", views.service_order_list, name="service_order_list"),
    path("orders/<int:pk>/", views.service_order_detail, name="service_order_detail"),
    path("orders/<int:pk>/done/", views.service_order_done, name="service_order_done"),
    path("customers/<int:pk>/orders/new/", views.service_order_create, name="service_order_create"),
    # CMP-6: after closing — the customer's satisfaction, repeat complainers, the analysis.
    path("satisfaction/<str:token>/", after_views.satisfaction_answer, name="satisfaction_answer"),
    path("complaints/<int:pk>/satisfaction/", after_views.complaint_satisfaction, name="complaint_satisfaction"),
    path("complaints/repeat/", after_views.repeat_complainers, name="repeat_complainers"),
    path("complaints/repeat/export.xlsx", after_views.repeat_complainers_export, name="repeat_complainers_export"),
    path("complaints/analysis/", after_views.complaint_analysis, name="complaint_analysis"),
    path("complaints/analysis/export.xlsx", after_views.complaint_analysis_export,
         name="complaint_analysis_export"),
]

# SVC-2 service commitments, SVC-3 follow-ups and literature, the service queue's export (SVC-1).
urlpatterns += [
    path("orders/export.xlsx", aftersale_views.service_order_export, name="service_order_export"),
    path("commitments/", aftersale_views.commitment_list, name="commitment_list"),
    path("commitments/export.xlsx", aftersale_views.commitment_export, name="commitment_export"),
    path("commitments/keeping/", aftersale_views.keeping_rate, name="keeping_rate"),
    path("commitments/keeping/export.xlsx", aftersale_views.keeping_rate_export, name="keeping_rate_export"),
    path("commitments/<int:pk>/", aftersale_views.commitment_detail, name="commitment_detail"),
    path("commitments/<int:pk>/fulfil/", aftersale_views.commitment_fulfil, name="commitment_fulfil"),
    path("customers/<int:pk>/commitments/new/", aftersale_views.commitment_create, name="commitment_create"),
    path("follow-ups/", aftersale_views.follow_up_list, name="follow_up_list"),
    path("follow-ups/export.xlsx", aftersale_views.follow_up_export, name="follow_up_export"),
    path("follow-ups/<int:pk>/", aftersale_views.follow_up_detail, name="follow_up_detail"),
    path("customers/<int:pk>/literature/new/", aftersale_views.literature_create, name="literature_create"),
]

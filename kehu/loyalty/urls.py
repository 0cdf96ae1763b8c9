from django.urls import path

from kehu.loyalty import views

app_name = "loyalty"
urlpatterns = [
    path("referrals/", views.referral_list, name="referral_list"),
    path("referrals/export.xlsx", views.referral_export, name="referral_export"),
    path("referrals/<int:pk>/outcome/", views.referral_outcome, name="referral_outcome"),
    path("referrals/<int:pk>/thank/", views.referral_thank, name="referral_thank"),
    path("ambassadors/", views.ambassadors, name="ambassadors"),
    path("ambassadors/export.xlsx", views.ambassadors_export, name="ambassadors_export"),
    path("customers/<int:pk>/refer/", views.referral_create, name="referral_create"),
    path("lost/", views.defection_list, name="defection_list"),
    path("lost/export.xlsx", views.defection_export, name="defection_export"),
    path("lost/<int:pk>/", views.defection_detail, name="defection_detail"),
    path("lost/<int:pk>/reason/", views.defection_reason, name="defection_reason"),
    path("lost/<int:pk>/attempts/", views.defection_attempt, name="defection_attempt"),
    path("win-back/", views.win_back_report, name="win_back_report"),
    path("win-back/export.xlsx", views.win_back_export, name="win_back_export"),
]

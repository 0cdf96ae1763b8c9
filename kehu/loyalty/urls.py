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
]

from django.urls import path

from kehu.relations import views

app_name = "relations"
urlpatterns = [
    path("touches/", views.touch_list, name="touch_list"),
    path("touches/export.xlsx", views.touch_export, name="touch_export"),
    path("touches/<int:pk>/", views.touch_detail, name="touch_detail"),
    path("customers/<int:pk>/touch/", views.touch_create, name="touch_create"),
    path("customers/<int:pk>/visit/", views.visit_quick, name="visit_quick"),
    path("due/", views.due_list, name="due"),
    path("due/export.xlsx", views.due_export, name="due_export"),
    path("adherence/", views.adherence, name="adherence"),
    path("adherence/export.xlsx", views.adherence_export, name="adherence_export"),
    path("plan/", views.plan, name="plan"),
    path("plan/print/", views.plan_print, name="plan_print"),
    path("plan/items/<int:pk>/tick/", views.plan_tick, name="plan_tick"),
    path("plan/items/<int:pk>/move/", views.plan_move, name="plan_move"),
    path("plan/weekly/", views.plan_weekly, name="plan_weekly"),
    path("plan/weekly/export.xlsx", views.plan_weekly_export, name="plan_weekly_export"),
    path("market/", views.market_list, name="market_list"),
    path("market/export.xlsx", views.market_export, name="market_export"),
    path("market/new/", views.market_create, name="market_create"),
    path("market/counts/", views.market_counts, name="market_counts"),
    path("market/counts/export.xlsx", views.market_counts_export, name="market_counts_export"),
    path("market/<int:pk>/", views.market_detail, name="market_detail"),
    path("market/<int:pk>/read/", views.market_read, name="market_read"),
    path("market/<int:pk>/act/", views.market_act, name="market_act"),
    path("checks/", views.check_list, name="check_list"),
    path("checks/export.xlsx", views.check_export, name="check_export"),
    path("checks/<int:pk>/", views.check_detail, name="check_detail"),
    path("customers/<int:pk>/check/", views.check_create, name="check_create"),
]

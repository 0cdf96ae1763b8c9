from django.urls import path

from kehu.reminders import views

app_name = "reminders"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("read-all/", views.read_all, name="read_all"),
    path("settings/", views.settings_page, name="settings"),
    path("<int:pk>/read/", views.read, name="read"),
    path("<int:pk>/open/", views.open_reminder, name="open"),
]

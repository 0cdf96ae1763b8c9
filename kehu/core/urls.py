from django.urls import path

from kehu.core import views

app_name = "core"
urlpatterns = [
    path("<int:pk>/", views.job, name="job"),
    path("<int:pk>/progress/", views.job_progress, name="job_progress"),
    path("<int:pk>/result/", views.job_result, name="job_result"),
]

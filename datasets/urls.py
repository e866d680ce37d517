from django.urls import path

from . import views

app_name = "datasets"
urlpatterns = [
    path("", views.list_datasets, name="list_datasets"),
    path("new/", views.create_dataset, name="create_dataset"),
    path("<int:dataset_id>/", views.show_dataset, name="show_dataset"),
    path("<int:dataset_id>/log/", views.download_log, name="download_log"),
]

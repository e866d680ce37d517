from django.urls import path

from . import export, views

app_name = "tunes"
urlpatterns = [
    path("", views.list_models, name="list_models"),
    path("backbones/<int:backbone_id>/", views.show_backbone, name="show_backbone"),
    path("tunes/new/", views.create_tune, name="create_tune"),
    path("tunes/new/<slug:step>/", views.edit_draft, name="edit_draft"),
    path("tunes/<int:tune_id>/", views.show_tune, name="show_tune"),
    path("tunes/<int:tune_id>/card/", views.show_tune_card, name="show_tune_card"),
    path("tunes/<int:tune_id>/log/", views.download_log, name="download_log"),
    path("tunes/<int:tune_id>/config/", export.download_config, name="download_config"),
    path("tunes/<int:tune_id>/cancel/", views.cancel_tune, name="cancel_tune"),
    path("tunes/<int:tune_id>/retry/", views.retry_tune, name="retry_tune"),
    path("tunes/<int:tune_id>/delete/", views.delete_tune, name="delete_tune"),
    path("tunes/<int:tune_id>/duplicate/", views.duplicate_tune, name="duplicate_tune"),
]

from django.urls import path

from . import views

app_name = "lab"
urlpatterns = [
    path("", views.show_lab, name="show_lab"),
    path("tunes/<int:tune_id>/", views.show_tune_lab, name="show_tune_lab"),
    path(
        "tunes/<int:tune_id>/settings/",
        views.edit_lab_config,
        name="edit_lab_config",
    ),
    path("tunes/<int:tune_id>/runs/", views.create_run, name="create_run"),
    path(
        "tunes/<int:tune_id>/history/",
        views.show_tune_history,
        name="show_tune_history",
    ),
    path("runs/<int:run_id>/", views.show_run, name="show_run"),
    path(
        "runs/<int:run_id>/download/<slug:layer>/",
        views.download_output,
        name="download_output",
    ),
    path(
        "runs/<int:run_id>/tiles/<slug:layer>/<int:z>/<int:x>/<int:y>.png",
        views.render_tile,
        name="render_tile",
    ),
]

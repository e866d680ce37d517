"""The JSON API's URLs, included at /api/."""

from django.urls import path

from . import api

app_name = "api"
urlpatterns = [
    path("openapi.json", api.show_openapi, name="show_openapi"),
    path("tunes/", api.create_tune, name="create_tune"),
    path("tunes/<int:tune_id>/", api.show_tune, name="show_tune"),
    path("tunes/<int:tune_id>/config/", api.show_config, name="show_config"),
]

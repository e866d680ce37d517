from django.urls import path

from . import views

app_name = "lab"
urlpatterns = [
    path("", views.show_lab, name="show_lab"),
]

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("tunes.urls")),
    path("datasets/", include("datasets.urls")),
    path("lab/", include("lab.urls")),
    path("api/", include("tunes.api_urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
]

import pytest
from django.urls import URLPattern, reverse

from tunes import api_urls

pytestmark = pytest.mark.django_db


class TestOpenApi:
    def test_it_describes_every_api_url(self, signed_in):
        response = signed_in.get(reverse("api:show_openapi"))

        assert response.status_code == 200
        document = response.json()
        assert document["openapi"].startswith("3.")
        operations = {
            operation["operationId"]
            for path in document["paths"].values()
            for operation in path.values()
        }
        views = {
            pattern.callback.__name__
            for pattern in api_urls.urlpatterns
            if isinstance(pattern, URLPattern)
        }
        assert operations == views

    def test_it_needs_a_session(self, client):
        assert client.get(reverse("api:show_openapi")).status_code == 401

"""Every form and htmx request carries the CSRF token; a forged one is refused."""

import pytest
from django.test import Client
from django.urls import reverse

from tunes.tests.factories import make_tune

pytestmark = pytest.mark.django_db


class TestCsrf:
    def test_a_post_without_the_token_is_refused(self, user):
        client = Client(enforce_csrf_checks=True)
        client.force_login(user)
        tune = make_tune(user, status="queued")

        response = client.post(
            reverse("tunes:cancel_tune", args=[tune.pk]), HTTP_HX_REQUEST="true"
        )

        assert response.status_code == 403
        tune.refresh_from_db()
        assert tune.status == "queued"

    def test_pages_send_the_token_for_htmx(self, user):
        client = Client(enforce_csrf_checks=True)
        client.force_login(user)
        tune = make_tune(user, status="queued")

        page = client.get(tune.get_absolute_url()).content.decode()
        token = client.cookies["csrftoken"].value

        assert '"X-CSRFToken": "' in page
        response = client.post(
            reverse("tunes:cancel_tune", args=[tune.pk]),
            HTTP_HX_REQUEST="true",
            HTTP_X_CSRFTOKEN=token,
        )
        assert response.status_code == 204
        tune.refresh_from_db()
        assert tune.status == "cancelled"

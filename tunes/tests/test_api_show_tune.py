import pytest
from django.urls import reverse

from .factories import make_tune

pytestmark = pytest.mark.django_db


class TestShowTuneApi:
    def test_it_returns_the_tune(self, signed_in, user):
        tune = make_tune(user, weights_source="none: random initialisation (test)")

        response = signed_in.get(reverse("api:show_tune", args=[tune.pk]))

        assert response.status_code == 200
        body = response.json()
        assert body["id"] == tune.pk
        assert body["status"] == "pending"
        assert body["backbone"] == "timm_resnet18"
        assert body["template"] == "resnet-segmentation"
        assert body["weights_source"].startswith("none: random initialisation")
        assert body["url"] == tune.get_absolute_url()

    def test_it_checks_ownership(self, signed_in, other_user):
        private = make_tune(other_user)
        shared = make_tune(other_user, shared=True)

        response = signed_in.get(reverse("api:show_tune", args=[private.pk]))

        assert response.status_code == 404
        assert response.json() == {"errors": {"__all__": ["Not found."]}}
        assert (
            signed_in.get(reverse("api:show_tune", args=[shared.pk])).status_code == 200
        )

    def test_it_answers_the_anonymous_with_401(self, client, user):
        response = client.get(reverse("api:show_tune", args=[make_tune(user).pk]))
        assert response.status_code == 401

import pytest
from django.urls import reverse

from tunes.models import Backbone

from .factories import HLS, make_hls_dataset, make_tune, make_tune_of

pytestmark = pytest.mark.django_db


class TestShowConfigApi:
    def test_it_returns_the_exported_config(self, signed_in, user):
        tune = make_tune_of("Prithvi_EO_V2_300M", user, make_hls_dataset(user))

        response = signed_in.get(reverse("api:show_config", args=[tune.pk]))

        assert response.status_code == 200
        config = response.json()["config"]
        assert config["model"]["init_args"]["model_args"]["backbone_bands"] == HLS
        assert config["data"]["init_args"]["test_split"] == "splits/test.txt"

    def test_it_checks_ownership(self, signed_in, other_user):
        response = signed_in.get(
            reverse("api:show_config", args=[make_tune(other_user).pk])
        )
        assert response.status_code == 404

    def test_a_tune_whose_weights_vanished_cannot_be_exported(
        self, signed_in, user, tmp_path
    ):
        Backbone.objects.filter(name="timm_resnet18").update(
            weights_path=str(tmp_path / "gone.pt")
        )
        response = signed_in.get(reverse("api:show_config", args=[make_tune(user).pk]))

        assert response.status_code == 409
        assert "is missing" in response.json()["errors"]["__all__"][0]

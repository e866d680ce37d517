import pytest
from django.urls import reverse

from datasets.models import Dataset

from .helpers import SEN1FLOODS11, make_dataset, onboarded

pytestmark = pytest.mark.django_db


def _url(dataset):
    return reverse("datasets:show_dataset", args=[dataset.pk])


class TestShowDataset:
    def test_it_shows_a_ready_dataset(self, signed_in):
        dataset = onboarded(make_dataset(name="Floods"), SEN1FLOODS11)

        response = signed_in.get(_url(dataset))

        assert response.status_code == 200
        content = response.content.decode()
        assert "Floods" in content
        assert "status-ready" in content
        band = dataset.bands.get(name="VV")
        assert f"{band.mean:.4f}" in content and f"{band.std:.4f}" in content
        assert "#1f78b4" in content
        assert "Paraguay_34417" in content and "image is entirely no data" in content
        assert "one class only" in content
        assert reverse("datasets:download_log", args=[dataset.pk]) in content
        assert "hx-get" not in content

    def test_it_polls_while_onboarding(self, signed_in):
        dataset = make_dataset()

        response = signed_in.get(_url(dataset))

        assert response.status_code == 200
        assert 'hx-trigger="every 2s' in response.content.decode()

    def test_htmx_gets_the_partial_while_pending(self, signed_in):
        dataset = make_dataset()

        response = signed_in.get(_url(dataset), headers={"HX-Request": "true"})

        assert response.status_code == 200
        content = response.content.decode()
        assert 'id="dataset-details"' in content and "<html" not in content
        assert response["Vary"] and "HX-Request" in response["Vary"]

    def test_htmx_polling_stops_once_final(self, signed_in):
        dataset = onboarded(make_dataset(), SEN1FLOODS11)

        response = signed_in.get(_url(dataset), headers={"HX-Request": "true"})

        assert response.status_code == 286
        assert "status-ready" in response.content.decode()

    def test_it_shows_why_onboarding_failed(self, signed_in, tmp_path):
        dataset = onboarded(make_dataset(), tmp_path / "missing")
        assert dataset.status == Dataset.Status.FAILED

        response = signed_in.get(_url(dataset))

        content = response.content.decode()
        assert "Onboarding failed" in content and "does not exist" in content

    def test_it_hides_another_users_private_dataset(self, signed_in, other_user):
        dataset = make_dataset(owner=other_user, shared=False)

        assert signed_in.get(_url(dataset)).status_code == 404
        response = signed_in.get(_url(dataset), headers={"HX-Request": "true"})
        assert response.status_code == 404

    def test_it_shows_the_users_own_private_dataset(self, signed_in, user):
        dataset = make_dataset(owner=user, shared=False)

        assert signed_in.get(_url(dataset)).status_code == 200

import json

import pytest
from django.urls import reverse

from tunes.models import Tune

from .factories import make_run

pytestmark = pytest.mark.django_db


def _url(tune) -> str:
    return reverse("lab:show_tune_lab", args=[tune.pk])


def _map_data(html: str) -> dict:
    return json.loads(
        html.split('id="lab-map-data" type="application/json">')[1].split("</script>")[
            0
        ]
    )


class TestShowTuneLab:
    def test_it_shows_the_map_the_scenes_and_the_run_form(
        self, signed_in, finished_tune, sample_scenes
    ):
        response = signed_in.get(_url(finished_tune))

        html = response.content.decode()
        assert response.status_code == 200
        assert "vendor/leaflet/leaflet.js" in html
        assert "lab/lab.js" in html
        assert "//unpkg" not in html and "cdn" not in html.lower()
        footprints = _map_data(html)["footprints"]
        # The tune's file suffix picks the Sentinel-1 chips, not the S2 scene.
        assert len(footprints) == 11
        nigeria = next(each for each in footprints if each["name"] == "Nigeria_812045")
        assert nigeria["placeholder"] is True
        assert nigeria["acquired"] == "2019-01-01"
        assert "placeholder date" in html
        # The dates default to the catalog's scenes.
        assert 'name="start_date" value="2019-01-01"' in html
        assert 'name="west"' in html and 'name="upload"' in html

    def test_it_repeats_an_earlier_run(
        self, signed_in, user, finished_tune, sample_scenes
    ):
        run = make_run(user, finished_tune, name="First look")

        response = signed_in.get(_url(finished_tune) + f"?from_run={run.pk}")

        html = response.content.decode()
        assert 'value="First look again"' in html
        assert f'value="{run.west}"' in html
        assert 'name="end_date" value="2019-06-01"' in html

    def test_an_unfinished_tune_cannot_run(self, signed_in, finished_tune):
        Tune.objects.filter(pk=finished_tune.pk).update(status="running")

        response = signed_in.get(_url(finished_tune))

        assert b"it can run in the lab once it has finished" in response.content
        assert b"disabled>Start the run" in response.content

    def test_it_checks_ownership(self, client, other_user, finished_tune):
        client.force_login(other_user)

        assert client.get(_url(finished_tune)).status_code == 404

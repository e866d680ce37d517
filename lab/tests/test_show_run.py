import json

import pytest
from django.urls import reverse

from lab.models import InferenceRun

from .factories import make_run

pytestmark = pytest.mark.django_db


def _url(run) -> str:
    return reverse("lab:show_run", args=[run.pk])


class TestShowRun:
    def test_it_shows_a_finished_run_with_its_layers(self, signed_in, finished_run):
        response = signed_in.get(_url(finished_run))

        html = response.content.decode()
        assert response.status_code == 200
        assert "Finished" in html
        assert "Nigeria_812045 · 2019-01-01" in html
        assert "placeholder date" in html
        assert "Input image (RGB)" in html and "Model prediction" in html
        assert "water" in html and "dry" in html
        assert (
            reverse("lab:download_output", args=[finished_run.pk, "prediction"]) in html
        )
        data = json.loads(
            html.split('id="lab-map-data" type="application/json">')[1].split(
                "</script>"
            )[0]
        )
        assert [layer["key"] for layer in data["layers"]] == ["input", "prediction"]
        assert data["layers"][1]["url"] == (
            f"/lab/runs/{finished_run.pk}/tiles/prediction/{{z}}/{{x}}/{{y}}.png"
        )

    def test_polling_stops_once_the_run_is_final(self, signed_in, finished_run):
        response = signed_in.get(_url(finished_run), HTTP_HX_REQUEST="true")

        assert response.status_code == 286
        assert "<html" not in response.content.decode()
        assert "HX-Request" in response["Vary"]

    def test_an_unfinished_run_keeps_polling(
        self, signed_in, user, finished_tune, sample_scenes
    ):
        run = make_run(user, finished_tune)
        InferenceRun.objects.filter(pk=run.pk).update(
            status=InferenceRun.Status.RUNNING, stage="Running the model", progress=40
        )

        response = signed_in.get(_url(run), HTTP_HX_REQUEST="true")

        html = response.content.decode()
        assert response.status_code == 200
        assert f'hx-get="{_url(run)}"' in html
        assert "Running the model" in html
        assert 'aria-valuenow="40"' in html

    def test_a_failed_run_says_why(self, signed_in, user, finished_tune, sample_scenes):
        run = make_run(
            user,
            finished_tune,
            status=InferenceRun.Status.FAILED,
            status_message="No scene in the local imagery catalog covers the area.",
        )

        response = signed_in.get(_url(run))

        assert b"No scene in the local imagery catalog covers the area." in (
            response.content
        )

    def test_a_run_outlives_its_tune(self, signed_in, finished_run, finished_tune):
        finished_tune.delete()

        response = signed_in.get(_url(finished_run))

        assert response.status_code == 200
        assert b"from a deleted tune" in response.content
        assert b"Flood tune" in response.content

    def test_it_checks_ownership(self, client, other_user, finished_run):
        client.force_login(other_user)

        assert client.get(_url(finished_run)).status_code == 404
        assert client.get(_url(finished_run), HTTP_HX_REQUEST="true").status_code == 404

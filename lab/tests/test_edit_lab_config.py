import pytest
from django.urls import reverse

from lab.config import lab_config
from lab.models import InferenceRun
from tunes.models import Tune

from .helpers import config_post, create_run, make_finished_tune, scene_bbox

pytestmark = pytest.mark.django_db


def _url(tune) -> str:
    return reverse("lab:edit_lab_config", args=[tune.pk])


class TestEditLabConfig:
    def test_the_dialog_is_filled_in_from_the_tunes_dataset(
        self, signed_in, finished_tune
    ):
        response = signed_in.get(_url(finished_tune), HTTP_HX_REQUEST="true")

        html = response.content.decode()
        assert response.status_code == 200
        assert "<html" not in html  # the dialog's partial
        assert 'value="_S1Hand.tif"' in html
        assert 'value="VV"' in html and 'value="VH"' in html
        assert 'value="dry"' in html and 'value="water"' in html
        assert 'value="#1f78b4"' in html
        assert 'value="Input image (RGB)"' in html
        assert 'value="Model prediction"' in html
        assert "HX-Request" in response["Vary"]

    def test_it_also_works_as_a_full_page(self, signed_in, finished_tune):
        response = signed_in.get(_url(finished_tune))

        assert response.status_code == 200
        assert b"<html" in response.content
        assert b'id="lab-config"' in response.content

    def test_saving_keeps_the_changes_for_later_runs(
        self,
        signed_in,
        user,
        finished_tune,
        sample_scenes,
        sync_jobs,
        django_capture_on_commit_callbacks,
    ):
        data = config_post(finished_tune, collection="sentinel-1-grd")
        data.update(
            {
                "band-1-scaling_factor": "0.5",
                "category-1-colour": "#00ffff",
                "category-1-opacity": "0.6",
                "layer-0-z_index": "5",
                "layer-0-rgb_max": "1200",
                "layer-1-name": "Flood map",
            }
        )

        response = signed_in.post(_url(finished_tune), data, HTTP_HX_REQUEST="true")

        assert response.status_code == 204
        assert response["HX-Redirect"] == reverse(
            "lab:show_tune_lab", args=[finished_tune.pk]
        )
        config = lab_config(Tune.objects.get(pk=finished_tune.pk))
        assert config["source"]["collection"] == "sentinel-1-grd"
        assert config["bands"][1]["scaling_factor"] == 0.5
        assert config["categories"][1] == {
            "value": 1,
            "name": "water",
            "colour": "#00ffff",
            "opacity": 0.6,
        }
        assert config["layers"][0]["z_index"] == 5
        assert config["layers"][1]["name"] == "Flood map"

        create_run(
            signed_in,
            finished_tune,
            django_capture_on_commit_callbacks,
            **scene_bbox("Nigeria_812045"),
        )
        run = InferenceRun.objects.get()
        assert run.config["categories"][1]["colour"] == "#00ffff"
        assert run.config["bands"][1]["scaling_factor"] == 0.5
        assert run.status == InferenceRun.Status.FINISHED, run.status_message

    def test_without_htmx_it_redirects_to_the_lab(self, signed_in, finished_tune):
        response = signed_in.post(_url(finished_tune), config_post(finished_tune))

        assert response.status_code == 302
        assert response["Location"] == reverse(
            "lab:show_tune_lab", args=[finished_tune.pk]
        )

    def test_it_rejects_bad_values(self, signed_in, finished_tune):
        data = config_post(finished_tune)
        data.update({"category-0-colour": "brown", "band-0-rgb": "R"})

        response = signed_in.post(_url(finished_tune), data, HTTP_HX_REQUEST="true")

        html = response.content.decode()
        assert response.status_code == 200
        assert "Write a colour as #1f78b4." in html
        assert Tune.objects.get(pk=finished_tune.pk).lab_config == {}

        data = config_post(finished_tune)
        data["band-0-rgb"] = "R"
        response = signed_in.post(_url(finished_tune), data, HTTP_HX_REQUEST="true")
        assert "Mark all three of R, G and B, or none." in response.content.decode()

    def test_changes_to_a_shared_tune_stay_with_the_person(
        self, client, user, other_user, flood_dataset, checkpoints
    ):
        tune = make_finished_tune(user, flood_dataset, checkpoints, shared=True)
        client.force_login(other_user)

        response = client.post(_url(tune), config_post(tune, collection="mine"))

        assert response.status_code == 302
        assert Tune.objects.get(pk=tune.pk).lab_config == {}
        page = client.get(_url(tune))
        assert b'value="mine"' in page.content

    def test_it_checks_ownership(self, client, other_user, finished_tune):
        client.force_login(other_user)

        assert client.get(_url(finished_tune)).status_code == 404
        assert client.post(_url(finished_tune), {}).status_code == 404


class TestLabConfig:
    def test_saved_values_lie_over_the_defaults(self, finished_tune):
        finished_tune.lab_config = {
            "source": {"kind": "nonsense", "collection": "s1"},
            "bands": [{"index": 1, "scaling_factor": "2"}, {"index": 9, "name": "X"}],
            "layers": [{"key": "input", "rgb_max": "oops"}],
        }

        config = lab_config(finished_tune)

        assert config["source"]["kind"] == "catalog"
        assert config["source"]["collection"] == "s1"
        assert [band["scaling_factor"] for band in config["bands"]] == [1.0, 2.0]
        assert [band["name"] for band in config["bands"]] == ["VV", "VH"]
        assert config["layers"][0]["rgb_max"] == 3000.0

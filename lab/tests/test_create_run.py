import logging

import numpy as np
import pytest
import rasterio
import rasterio.warp
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from lab.jobs import run_inference
from lab.models import InferenceRun
from tunes.models import Tune

from .factories import NIGERIA
from .helpers import FTW_SCENE, config_post, create_run, run_post, scene_bbox

pytestmark = pytest.mark.django_db


@pytest.fixture
def lab(signed_in, finished_tune, sample_scenes, sync_jobs):
    return signed_in


class TestCreateRun:
    def test_it_runs_the_tune_on_the_catalog_scene_of_the_area(
        self, lab, finished_tune, django_capture_on_commit_callbacks, caplog
    ):
        with caplog.at_level(logging.INFO, logger="lab.jobs"):
            response = create_run(
                lab,
                finished_tune,
                django_capture_on_commit_callbacks,
                **scene_bbox("Nigeria_812045"),
            )

        run = InferenceRun.objects.get()
        for event in ("queued", "started", "finished"):
            assert f"Inference run {run.pk} {event}" in caplog.text
        assert response.status_code == 302
        assert response["Location"] == reverse("lab:show_run", args=[run.pk])
        assert run.status == InferenceRun.Status.FINISHED, run.status_message
        assert run.owner.username == "alice"
        assert run.tune_name == "Flood tune"
        assert [scene["name"] for scene in run.scenes] == ["Nigeria_812045"]
        assert run.scenes[0]["placeholder_date"] is True
        assert run.progress == 100
        with (
            rasterio.open(run.prediction_path) as output,
            rasterio.open(NIGERIA) as chip,
        ):
            assert output.crs == chip.crs
            assert output.transform.almost_equals(chip.transform)
            assert output.shape == chip.shape
            prediction = output.read(1)
            missing = np.isnan(chip.read()).all(axis=0)
        assert (prediction[missing] == 255).all()
        assert set(np.unique(prediction[~missing])) <= {0, 1}

    def test_a_scene_with_other_bands_fails_naming_them(
        self, lab, finished_tune, django_capture_on_commit_callbacks
    ):
        # Any collection and any file: the 8-band Sentinel-2 scene is found.
        lab.post(
            reverse("lab:edit_lab_config", args=[finished_tune.pk]),
            config_post(finished_tune, collection="", file_suffix=""),
        )
        ftw = scene_bbox("Fields of The World, two dates (Sentinel-2)")

        create_run(lab, finished_tune, django_capture_on_commit_callbacks, **ftw)

        run = InferenceRun.objects.get()
        assert run.status == InferenceRun.Status.FAILED
        message = run.status_message
        assert "lacks the band(s) VV, VH" in message
        assert "8 band(s): R_date1, G_date1, B_date1, NIR_date1" in message
        assert not run.prediction_path.exists()

    def test_an_area_without_scenes_fails_clearly(
        self, lab, finished_tune, django_capture_on_commit_callbacks
    ):
        ocean = {"west": -30.0, "south": -30.0, "east": -29.9, "north": -29.9}

        create_run(lab, finished_tune, django_capture_on_commit_callbacks, **ocean)

        run = InferenceRun.objects.get()
        assert run.status == InferenceRun.Status.FAILED
        assert run.status_message.startswith(
            "No scene in the local imagery catalog covers the area (-30.0000, "
        )

    def test_dates_without_scenes_fail_clearly(
        self, lab, finished_tune, django_capture_on_commit_callbacks
    ):
        create_run(
            lab,
            finished_tune,
            django_capture_on_commit_callbacks,
            start_date="2022-01-01",
            end_date="2022-12-31",
            **scene_bbox("Nigeria_812045"),
        )

        run = InferenceRun.objects.get()
        assert run.status == InferenceRun.Status.FAILED
        assert "was acquired between 2022-01-01 and 2022-12-31" in run.status_message
        assert "dated 2019-01-01" in run.status_message


class TestCreateRunFromAnUpload:
    def _upload(self, client, tune, capture, path, name=None):
        with path.open("rb") as file:
            upload = SimpleUploadedFile(name or path.name, file.read())
        with capture(execute=True):
            return client.post(
                reverse("lab:create_run", args=[tune.pk]),
                {"name": "My own file", "source": "upload", "upload": upload},
            )

    def test_it_runs_the_tune_on_an_uploaded_geotiff(
        self, lab, finished_tune, django_capture_on_commit_callbacks
    ):
        self._upload(lab, finished_tune, django_capture_on_commit_callbacks, NIGERIA)

        run = InferenceRun.objects.get()
        assert run.status == InferenceRun.Status.FINISHED, run.status_message
        assert run.upload_name == NIGERIA.name
        assert run.start_date is None
        assert run.scenes[0]["name"] == NIGERIA.name
        with (
            rasterio.open(run.prediction_path) as output,
            rasterio.open(NIGERIA) as chip,
        ):
            assert output.crs == chip.crs
            assert output.transform.almost_equals(chip.transform)
            assert output.shape == chip.shape
            bounds = rasterio.warp.transform_bounds(chip.crs, "EPSG:4326", *chip.bounds)
        assert run.bbox == pytest.approx(bounds)

    def test_an_upload_with_other_bands_fails_naming_them(
        self, lab, finished_tune, django_capture_on_commit_callbacks
    ):
        self._upload(lab, finished_tune, django_capture_on_commit_callbacks, FTW_SCENE)

        run = InferenceRun.objects.get()
        assert run.status == InferenceRun.Status.FAILED
        assert run.status_message == (
            "The scene ftw_two_date_s2_8band.tif has 8 unnamed band(s); the tune "
            "needs 2: VV, VH (bands in use: VV, VH). Its bands cannot be matched "
            "to the tune's."
        )

    def test_a_file_that_is_not_a_geotiff_fails(
        self, lab, finished_tune, django_capture_on_commit_callbacks, tmp_path
    ):
        fake = tmp_path / "notes.tif"
        fake.write_text("not an image")

        self._upload(lab, finished_tune, django_capture_on_commit_callbacks, fake)

        run = InferenceRun.objects.get()
        assert run.status == InferenceRun.Status.FAILED
        assert run.status_message.startswith("notes.tif is not a readable GeoTIFF")

    def test_an_upload_is_read_as_a_geotiff_only(
        self, lab, finished_tune, django_capture_on_commit_callbacks, tmp_path
    ):
        # A VRT names other files; read as one, it would show them on the map.
        vrt = tmp_path / "sneaky.tif"
        vrt.write_text(
            f'<VRTDataset rasterXSize="512" rasterYSize="512"><VRTRasterBand '
            f'dataType="Float32" band="1"><SimpleSource><SourceFilename>{NIGERIA}'
            "</SourceFilename><SourceBand>1</SourceBand></SimpleSource>"
            "</VRTRasterBand></VRTDataset>"
        )

        self._upload(lab, finished_tune, django_capture_on_commit_callbacks, vrt)

        run = InferenceRun.objects.get()
        assert run.status == InferenceRun.Status.FAILED
        assert run.status_message.startswith("sneaky.tif is not a readable GeoTIFF")
        assert not run.input_path.exists()


class TestCreateRunForm:
    def test_it_checks_the_area_and_dates(self, lab, finished_tune):
        response = lab.post(
            reverse("lab:create_run", args=[finished_tune.pk]),
            run_post(west=10, east=9, south=1, north=2, end_date="2018-01-01"),
        )

        html = response.content.decode()
        assert response.status_code == 400
        assert "East must be greater than west." in html
        assert "The end date comes before the start date." in html
        assert not InferenceRun.objects.exists()

    def test_an_upload_run_needs_a_file(self, lab, finished_tune):
        response = lab.post(
            reverse("lab:create_run", args=[finished_tune.pk]),
            {"name": "x", "source": "upload"},
        )

        assert response.status_code == 400
        assert b"Choose a GeoTIFF to upload." in response.content

    def test_only_a_finished_tune_runs(self, lab, finished_tune):
        Tune.objects.filter(pk=finished_tune.pk).update(status="failed")

        response = lab.post(
            reverse("lab:create_run", args=[finished_tune.pk]),
            run_post(**scene_bbox("Nigeria_812045")),
        )

        assert response.status_code == 400
        assert not InferenceRun.objects.exists()

    def test_running_a_run_twice_is_harmless(self, user, finished_run, caplog):
        finished = finished_run.finished

        with caplog.at_level(logging.INFO, logger="lab.jobs"):
            run_inference(finished_run.pk)

        finished_run.refresh_from_db()
        assert finished_run.finished == finished
        assert "not queued any more" in caplog.text

    def test_it_checks_ownership(self, client, other_user, finished_tune):
        client.force_login(other_user)

        response = client.post(
            reverse("lab:create_run", args=[finished_tune.pk]),
            run_post(**{"west": 1, "south": 1, "east": 2, "north": 2}),
        )

        assert response.status_code == 404
        assert not InferenceRun.objects.exists()

import shutil

import numpy as np
import pytest
import rasterio
from rasterio.warp import transform_bounds

from lab.models import InferenceRun

from .factories import NIGERIA
from .helpers import FTW_SCENE, create_run
from .stac_server import StacServer

pytestmark = pytest.mark.django_db


def _bbox(path) -> list[float]:
    with rasterio.open(path) as src:
        return list(transform_bounds(src.crs, "EPSG:4326", *src.bounds))


@pytest.fixture
def stac_api(tmp_path, settings):
    shutil.copy(NIGERIA, tmp_path)
    shutil.copy(FTW_SCENE, tmp_path)
    with StacServer(tmp_path) as server:
        server.add_item(
            "S1_nigeria_2019-03-04",
            tmp_path / NIGERIA.name,
            _bbox(NIGERIA),
            "2019-03-04T05:30:00Z",
            band_names=["VV", "VH"],
        )
        server.add_item(
            "S2_ftw",
            tmp_path / FTW_SCENE.name,
            _bbox(FTW_SCENE),
            "2021-06-01T10:00:00Z",
            collection="sentinel-2-l2a",
        )
        settings.LAB_STAC_API_URL = server.url + "/"
        yield server


def _area(bbox: list[float]) -> dict[str, float]:
    return dict(zip(["west", "south", "east", "north"], bbox, strict=True))


class TestStacSource:
    def test_it_reads_the_scene_the_api_finds(
        self,
        signed_in,
        finished_tune,
        stac_api,
        sync_jobs,
        django_capture_on_commit_callbacks,
    ):
        # Sen1Floods11's own file suffix would not match the served name.
        finished_tune.lab_config = {"file_suffix": ".tif"}
        finished_tune.save()

        create_run(
            signed_in,
            finished_tune,
            django_capture_on_commit_callbacks,
            source="stac",
            start_date="2019-03-01",
            end_date="2019-03-31",
            **_area(_bbox(NIGERIA)),
        )

        run = InferenceRun.objects.get()
        assert run.status == InferenceRun.Status.FINISHED, run.status_message
        assert run.scenes == [
            {
                "name": "S1_nigeria_2019-03-04",
                "acquired": "2019-03-04",
                "placeholder_date": False,
            }
        ]
        assert any(request.startswith("POST /search") for request in stac_api.requests)
        # The GeoTIFF was read over HTTP from the test's server.
        assert any("/files/" in request for request in stac_api.requests)
        with (
            rasterio.open(run.prediction_path) as output,
            rasterio.open(NIGERIA) as chip,
        ):
            assert output.crs == chip.crs
            assert output.transform.almost_equals(chip.transform)
            assert output.shape == chip.shape
        with rasterio.open(run.input_path) as mosaic, rasterio.open(NIGERIA) as chip:
            np.testing.assert_array_equal(mosaic.read(), chip.read())

    def test_no_scene_in_the_date_range_fails_clearly(
        self,
        signed_in,
        finished_tune,
        stac_api,
        sync_jobs,
        django_capture_on_commit_callbacks,
    ):
        create_run(
            signed_in,
            finished_tune,
            django_capture_on_commit_callbacks,
            source="stac",
            start_date="2020-01-01",
            end_date="2020-12-31",
            **_area(_bbox(NIGERIA)),
        )

        run = InferenceRun.objects.get()
        assert run.status == InferenceRun.Status.FAILED
        assert "none acquired between 2020-01-01 and 2020-12-31" in run.status_message
        assert "2019-03-04" in run.status_message

    def test_a_scene_with_other_bands_fails_naming_them(
        self,
        signed_in,
        finished_tune,
        stac_api,
        sync_jobs,
        django_capture_on_commit_callbacks,
    ):
        finished_tune.lab_config = {"file_suffix": "", "source": {"collection": ""}}
        finished_tune.save()

        create_run(
            signed_in,
            finished_tune,
            django_capture_on_commit_callbacks,
            source="stac",
            start_date="2021-01-01",
            end_date="2021-12-31",
            **_area(_bbox(FTW_SCENE)),
        )

        run = InferenceRun.objects.get()
        assert run.status == InferenceRun.Status.FAILED
        assert "S2_ftw has 8 unnamed band(s); the tune needs 2: VV, VH" in (
            run.status_message
        )

    def test_it_is_offered_only_where_configured(self, signed_in, finished_tune):
        from django.urls import reverse

        page = signed_in.get(reverse("lab:show_tune_lab", args=[finished_tune.pk]))

        assert b'value="stac"' not in page.content

import io

import morecantile
import numpy as np
import pytest
import rasterio
from django.urls import reverse
from PIL import Image

from lab.models import InferenceRun
from lab.mosaic import build_input
from lab.sources import Asset, SceneSource

from .factories import make_run
from .helpers import FTW_SCENE

pytestmark = pytest.mark.django_db

WEB_MERCATOR = morecantile.tms.get("WebMercatorQuad")
FTW_AREA = {"west": 13.11, "south": 48.28, "east": 13.17, "north": 48.30}


def _centre_tile(run, zoom: int = 15) -> morecantile.Tile:
    return WEB_MERCATOR.tile(
        (run.west + run.east) / 2, (run.south + run.north) / 2, zoom
    )


def _get(client, run, layer, tile):
    return client.get(
        reverse("lab:render_tile", args=[run.pk, layer, tile.z, tile.x, tile.y])
    )


def _png(response) -> np.ndarray:
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    return np.array(Image.open(io.BytesIO(response.content)).convert("RGBA"))


class TestRenderTile:
    def test_prediction_tiles_take_the_category_colours_and_opacity(
        self, signed_in, finished_run
    ):
        # Every category shows: water where the prediction says water, dry
        # (made visible here) everywhere else.
        config = finished_run.config
        config["categories"][0].update(colour="#a6761d", opacity=1.0)
        config["categories"][1].update(colour="#1f78b4", opacity=0.8)
        InferenceRun.objects.filter(pk=finished_run.pk).update(config=config)
        finished_run.refresh_from_db()

        pixels = _png(
            _get(signed_in, finished_run, "prediction", _centre_tile(finished_run))
        )

        colours = {tuple(pixel) for pixel in pixels.reshape(-1, 4)}
        assert colours <= {(166, 118, 29, 255), (31, 120, 180, 204), (0, 0, 0, 0)}
        assert (166, 118, 29, 255) in colours
        assert pixels.shape == (256, 256, 4)

    def test_input_tiles_show_radar_as_grey(self, signed_in, finished_run):
        pixels = _png(
            _get(signed_in, finished_run, "input", _centre_tile(finished_run))
        )

        opaque = pixels[pixels[..., 3] == 255]
        assert len(opaque) > 0
        assert (opaque[:, 0] == opaque[:, 1]).all() and (
            opaque[:, 1] == opaque[:, 2]
        ).all()
        assert opaque[:, 0].std() > 10  # a stretched image, not a flat grey

    def test_input_tiles_stretch_rgb_bands_to_the_rgb_max(
        self, signed_in, user, finished_tune, sample_scenes
    ):
        # The Sentinel-2 scene's first date, red, green and blue, as a run's
        # input with its bands marked R, G and B.
        run = make_run(
            user, finished_tune, status=InferenceRun.Status.FINISHED, **FTW_AREA
        )
        run.config["bands"] = [
            {"index": i, "name": name, "rgb": name[0], "scaling_factor": 1.0}
            for i, name in enumerate(["R_date1", "G_date1", "B_date1"])
        ]
        run.config["layers"][0]["rgb_max"] = 3000
        run.save()
        scene = SceneSource("ftw", None, [Asset(str(FTW_SCENE), [], 8)])
        run.folder.mkdir(parents=True)
        build_input(
            [scene], [[(0, 1), (0, 2), (0, 3)]], ["R", "G", "B"], run.input_path, None
        )
        run.prediction_path.touch()

        pixels = _png(_get(signed_in, run, "input", _centre_tile(run)))

        opaque = pixels[pixels[..., 3] == 255][:, :3].astype(int)
        assert len(opaque) == 256 * 256
        assert (opaque[:, 0] != opaque[:, 2]).any()  # colour, not grey
        with rasterio.open(FTW_SCENE) as src:
            red = src.read(1)
        # About the scene's mean red, stretched from 0 .. 3000 to 0 .. 255.
        assert abs(opaque[:, 0].mean() - red.mean() / 3000 * 255) < 25

    def test_a_tile_outside_the_run_is_transparent(self, signed_in, finished_run):
        far = WEB_MERCATOR.tile(-100.0, 40.0, 15)

        pixels = _png(_get(signed_in, finished_run, "prediction", far))

        assert (pixels[..., 3] == 0).all()

    def test_unknown_layers_and_unfinished_runs_have_no_tiles(
        self, signed_in, finished_run
    ):
        tile = _centre_tile(finished_run)
        assert _get(signed_in, finished_run, "labels", tile).status_code == 404
        InferenceRun.objects.filter(pk=finished_run.pk).update(status="running")
        assert _get(signed_in, finished_run, "prediction", tile).status_code == 404

    def test_it_checks_ownership(self, client, other_user, finished_run):
        client.force_login(other_user)
        tile = _centre_tile(finished_run)

        for layer in ("input", "prediction"):
            assert _get(client, finished_run, layer, tile).status_code == 404

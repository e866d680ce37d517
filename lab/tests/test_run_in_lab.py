"""The whole lab flow on a really trained tune and a real Sen1Floods11 chip."""

import io

import morecantile
import numpy as np
import pytest
import rasterio
from django.urls import reverse
from PIL import Image

from lab.config import hex_to_rgb
from lab.models import InferenceRun
from tunes.tests.factories import train_tiny_tune

from .factories import NIGERIA
from .helpers import config_post, create_run, scene_bbox

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


class TestRunInLab:
    def test_a_person_tries_a_trained_tune_on_a_chip(
        self,
        signed_in,
        user,
        flood_dataset,
        sample_scenes,
        sync_jobs,
        django_capture_on_commit_callbacks,
    ):
        tune = train_tiny_tune(user, flood_dataset, max_epochs=2)

        # The model page offers the lab; its dialog is filled in from the
        # dataset, and saving it lands in the lab.
        page = signed_in.get(reverse("tunes:show_tune", args=[tune.pk]))
        assert b"Try in Lab</a>" in page.content
        dialog = signed_in.get(
            reverse("lab:edit_lab_config", args=[tune.pk]), HTTP_HX_REQUEST="true"
        )
        assert b'value="water"' in dialog.content
        data = config_post(tune)
        data.update({"category-1-colour": "#0000ff", "category-1-opacity": "0.7"})
        saved = signed_in.post(
            reverse("lab:edit_lab_config", args=[tune.pk]),
            data,
            HTTP_HX_REQUEST="true",
        )
        assert saved["HX-Redirect"] == reverse("lab:show_tune_lab", args=[tune.pk])
        assert signed_in.get(saved["HX-Redirect"]).status_code == 200

        # The person picks the Nigeria chip's area and the sample's dates.
        response = create_run(
            signed_in,
            tune,
            django_capture_on_commit_callbacks,
            name="Niger river",
            start_date="2018-12-01",
            end_date="2019-01-31",
            **scene_bbox("Nigeria_812045"),
        )
        run = InferenceRun.objects.get()
        assert response["Location"] == reverse("lab:show_run", args=[run.pk])
        poll = signed_in.get(response["Location"], HTTP_HX_REQUEST="true")
        assert poll.status_code == 286
        assert run.status == InferenceRun.Status.FINISHED, run.status_message

        # The prediction is a COG on the chip's own grid, with the categories'
        # colours, and no data exactly where the chip has none.
        with (
            rasterio.open(run.prediction_path) as output,
            rasterio.open(NIGERIA) as chip,
        ):
            assert output.tags(ns="IMAGE_STRUCTURE")["LAYOUT"] == "COG"
            assert output.crs == chip.crs
            assert output.transform.almost_equals(chip.transform, precision=1e-12)
            assert (output.width, output.height) == (chip.width, chip.height)
            assert output.dtypes == ("uint8",)
            assert output.nodata == 255
            colours = output.colormap(1)
            prediction = output.read(1)
            missing = np.isnan(chip.read()).all(axis=0)
        dry = tune.dataset.label_categories.get(value=0)
        assert colours[0][:3] == hex_to_rgb(dry.colour)
        assert colours[1] == (0, 0, 255, 255)
        assert missing.sum() == 579
        assert (prediction[missing] == 255).all()
        assert set(np.unique(prediction[~missing]).tolist()) <= {0, 1}

        # The map's prediction tiles: water in its colour at 70 %, dry in its
        # own at the dataset's opacity (none drawn at 0).
        tile = morecantile.tms.get("WebMercatorQuad").tile(
            (run.west + run.east) / 2, (run.south + run.north) / 2, 15
        )
        png = signed_in.get(
            reverse(
                "lab:render_tile", args=[run.pk, "prediction", tile.z, tile.x, tile.y]
            )
        )
        pixels = np.array(Image.open(io.BytesIO(png.content)).convert("RGBA"))
        shown = {tuple(pixel) for pixel in pixels.reshape(-1, 4) if pixel[3]}
        dry_shown = (*hex_to_rgb(dry.colour), round(255 * dry.opacity))
        assert shown <= {(0, 0, 255, 178), dry_shown}

        # The model page's history lists the run.
        page = signed_in.get(reverse("tunes:show_tune", args=[tune.pk]))
        assert b"Niger river" in page.content

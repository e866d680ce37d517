import io

import numpy as np
import pytest
import rasterio
from django.urls import reverse

from .factories import NIGERIA

pytestmark = pytest.mark.django_db


def _url(run, layer: str) -> str:
    return reverse("lab:download_output", args=[run.pk, layer])


class TestDownloadOutput:
    def test_it_downloads_cogs_that_open_as_they_are(self, signed_in, finished_run):
        response = signed_in.get(_url(finished_run, "prediction"))

        assert response.status_code == 200
        assert response["Content-Disposition"] == (
            f'attachment; filename="nigeria-floods-{finished_run.pk}-prediction.tif"'
        )
        data = b"".join(response.streaming_content)
        with rasterio.MemoryFile(io.BytesIO(data)) as memory, memory.open() as output:
            assert output.tags(ns="IMAGE_STRUCTURE")["LAYOUT"] == "COG"
            assert output.dtypes == ("uint8",)
            assert output.nodata == 255
            assert output.colormap(1)[1][:3] == (31, 120, 180)

        response = signed_in.get(_url(finished_run, "input"))
        data = b"".join(response.streaming_content)
        with rasterio.MemoryFile(io.BytesIO(data)) as memory, memory.open() as mosaic:
            with rasterio.open(NIGERIA) as chip:
                np.testing.assert_array_equal(mosaic.read(), chip.read())
            assert mosaic.descriptions == ("VV", "VH")

    def test_it_checks_ownership(self, client, other_user, finished_run):
        client.force_login(other_user)

        assert client.get(_url(finished_run, "prediction")).status_code == 404
        assert client.get(_url(finished_run, "input")).status_code == 404

    def test_there_is_nothing_to_download_of_other_layers(
        self, signed_in, finished_run
    ):
        assert signed_in.get(_url(finished_run, "upload")).status_code == 404

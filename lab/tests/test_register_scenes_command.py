import shutil
from datetime import date, datetime

import pystac
import pytest
import rasterio
from django.core.management import CommandError, call_command

from lab.models import Scene

from .factories import NIGERIA
from .helpers import FTW_SCENE, S1_CHIPS

pytestmark = pytest.mark.django_db


class TestRegisterScenes:
    def test_it_registers_a_folder_of_geotiffs(self, tmp_path):
        for chip in ("Nigeria_812045", "India_900498"):
            shutil.copy(
                S1_CHIPS / f"{chip}_S1Hand.tif", tmp_path / f"{chip}_20190918.tif"
            )

        call_command("register_scenes", str(tmp_path), "--collection", "sentinel-1-grd")

        scenes = list(Scene.objects.order_by("name"))
        assert [scene.name for scene in scenes] == [
            "India_900498_20190918",
            "Nigeria_812045_20190918",
        ]
        nigeria = scenes[1]
        # The date comes from the file name; the band names from the file.
        assert nigeria.acquired == date(2019, 9, 18)
        assert not nigeria.acquired_is_placeholder
        assert nigeria.bands == ["VV", "VH"]
        assert nigeria.collection == "sentinel-1-grd"
        assert nigeria.crs == "EPSG:4326"
        assert (nigeria.width, nigeria.height, nigeria.band_count) == (512, 512, 2)
        with rasterio.open(NIGERIA) as src:
            assert nigeria.bbox == pytest.approx(tuple(src.bounds))

    def test_registering_again_updates(self, tmp_path):
        shutil.copy(FTW_SCENE, tmp_path)
        args = [str(tmp_path / FTW_SCENE.name), "--date", "2021-05-01"]

        call_command("register_scenes", *args)
        call_command(
            "register_scenes",
            *args,
            "--placeholder-date",
            *[f"--band={name}" for name in "ABCDEFGH"],
        )

        scene = Scene.objects.get()
        assert scene.acquired_is_placeholder
        assert scene.bands == list("ABCDEFGH")
        assert scene.crs == "EPSG:32633"
        # The footprint is in degrees, whatever the file's CRS.
        assert 13.0 < scene.west < scene.east < 13.3
        assert 48.2 < scene.south < scene.north < 48.4

    def test_it_needs_a_date_and_matching_band_names(self, tmp_path):
        shutil.copy(FTW_SCENE, tmp_path)

        with pytest.raises(CommandError, match="No scene was registered: 1 skipped"):
            call_command("register_scenes", str(tmp_path))
        with pytest.raises(CommandError, match="No scene was registered"):
            call_command(
                "register_scenes", str(tmp_path), "--date", "2021-05-01", "--band", "VV"
            )
        assert not Scene.objects.exists()

    def test_it_registers_the_items_of_a_static_stac_catalog(self, tmp_path):
        catalog = pystac.Catalog("floods", "Flood scenes")
        for chip, day in (("Nigeria_812045", 4), ("India_900498", 5)):
            path = tmp_path / "data" / f"{chip}.tif"
            path.parent.mkdir(exist_ok=True)
            shutil.copy(S1_CHIPS / f"{chip}_S1Hand.tif", path)
            with rasterio.open(path) as src:
                bbox = list(src.bounds)
            item = pystac.Item(
                chip,
                geometry=None,
                bbox=bbox,
                datetime=datetime(2019, 3, day),
                properties={},
                collection="sentinel-1-grd",
            )
            item.add_asset(
                "image",
                pystac.Asset(
                    str(path), media_type=pystac.MediaType.COG, roles=["data"]
                ),
            )
            item.add_asset(
                "thumbnail",
                pystac.Asset(str(tmp_path / "x.png"), roles=["thumbnail"]),
            )
            catalog.add_item(item)
        catalog.normalize_and_save(
            str(tmp_path / "stac"), pystac.CatalogType.SELF_CONTAINED
        )

        call_command("register_scenes", str(tmp_path / "stac" / "catalog.json"))

        scenes = {scene.name: scene for scene in Scene.objects.all()}
        assert set(scenes) == {"Nigeria_812045", "India_900498"}
        assert scenes["India_900498"].acquired == date(2019, 3, 5)
        assert scenes["India_900498"].collection == "sentinel-1-grd"
        assert scenes["India_900498"].path == str(
            tmp_path / "data" / "India_900498.tif"
        )

from datetime import date

import numpy as np
import pytest
import rasterio
from rasterio.warp import calculate_default_transform, reproject, transform_bounds
from rasterio.windows import Window, from_bounds

from lab.mosaic import build_input
from lab.sources import Asset, RunError, SceneSource

from .factories import NIGERIA
from .helpers import FTW_SCENE


def _scene(name, path, acquired, bands=None, count=None) -> SceneSource:
    return SceneSource(name, acquired, [Asset(str(path), bands or [], count)])


def _write(path, data, profile, **changes) -> None:
    profile = {**profile, **changes}
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(data)


class TestBuildInput:
    def test_the_newest_scene_wins_where_scenes_overlap(self, tmp_path):
        with rasterio.open(NIGERIA) as src:
            chip, profile, bounds = src.read(), src.profile, src.bounds
        _write(tmp_path / "older.tif", chip + 100, profile)
        newer = chip[:, :, :300]
        _write(
            tmp_path / "newer.tif",
            newer,
            profile,
            width=300,
        )
        scenes = [
            _scene("newer", tmp_path / "newer.tif", date(2019, 2, 1), ["VV", "VH"]),
            _scene("older", tmp_path / "older.tif", date(2019, 1, 1), ["VV", "VH"]),
        ]
        both = [(0, 1), (0, 2)]

        grid = build_input(
            scenes,
            [both, both],
            ["VV", "VH"],
            tmp_path / "input.tif",
            transform_bounds(profile["crs"], "EPSG:4326", *bounds),
        )

        assert (grid.width, grid.height) == (512, 512)
        assert grid.transform.almost_equals(profile["transform"])
        with rasterio.open(tmp_path / "input.tif") as mosaic:
            values = mosaic.read()
            assert mosaic.dtypes == ("float32", "float32")
            assert np.isnan(mosaic.nodata)
        np.testing.assert_array_equal(values[:, :, :300], chip[:, :, :300])
        np.testing.assert_array_equal(values[:, :, 300:], chip[:, :, 300:] + 100)

    def test_it_keeps_the_newest_scenes_grid_and_reprojects_the_others(self, tmp_path):
        # The newest scene: the left half of the Sentinel-2 scene, in degrees.
        with rasterio.open(FTW_SCENE) as src:
            half = src.read(window=Window(0, 0, 289, src.height))
            half_transform = src.window_transform(Window(0, 0, 289, src.height))
            crs, profile = src.crs, src.profile
            full_bounds = transform_bounds(crs, "EPSG:4326", *src.bounds)
            width, height = 289, src.height
        transform, dst_width, dst_height = calculate_default_transform(
            crs,
            "EPSG:4326",
            width,
            height,
            *rasterio.transform.array_bounds(height, width, half_transform),
        )
        degrees = np.zeros((8, dst_height, dst_width), np.uint16)
        reproject(
            half,
            degrees,
            src_transform=half_transform,
            src_crs=crs,
            dst_transform=transform,
            dst_crs="EPSG:4326",
            dst_nodata=0,
        )
        _write(
            tmp_path / "left.tif",
            degrees,
            profile,
            crs="EPSG:4326",
            transform=transform,
            width=dst_width,
            height=dst_height,
            nodata=0,
        )
        scenes = [
            _scene("left", tmp_path / "left.tif", date(2021, 6, 2), count=8),
            _scene("full", FTW_SCENE, date(2021, 6, 1), count=8),
        ]
        red = [(0, 1)]

        grid = build_input(
            scenes, [red, red], ["R"], tmp_path / "input.tif", full_bounds
        )

        assert grid.crs.to_epsg() == 4326
        assert grid.transform.a == pytest.approx(transform.a)
        with rasterio.open(tmp_path / "input.tif") as mosaic:
            values = mosaic.read(1)
            left = mosaic.read(
                1,
                window=from_bounds(
                    *rasterio.transform.array_bounds(dst_height, dst_width, transform),
                    mosaic.transform,
                )
                .round_offsets()
                .round_lengths(),
            )
        # The east half came from the UTM scene, warped onto the grid.
        assert np.isfinite(values[:, -50:]).mean() > 0.9
        assert 0 < np.nanmean(values[:, -50:]) < 10000
        assert np.isfinite(left).mean() > 0.9

    def test_an_area_the_scenes_miss_fails(self, tmp_path):
        with pytest.raises(RunError, match="do not overlap the area"):
            build_input(
                [_scene("chip", NIGERIA, date(2019, 1, 1), ["VV", "VH"])],
                [[(0, 1), (0, 2)]],
                ["VV", "VH"],
                tmp_path / "input.tif",
                (100.0, 10.0, 100.1, 10.1),
            )

    def test_a_subset_of_a_scene_keeps_its_pixels(self, tmp_path):
        with rasterio.open(FTW_SCENE) as src:
            window = Window(100, 50, 200, 120)
            expected = src.read(window=window).astype(np.float32)
            bounds = transform_bounds(src.crs, "EPSG:4326", *src.window_bounds(window))
            transform = src.transform
        # Degrees do not fall on the UTM pixel grid: the area is snapped
        # outwards to whole pixels of the scene.
        grid = build_input(
            [_scene("ftw", FTW_SCENE, date(2021, 6, 1), count=8)],
            [[(0, index) for index in range(1, 9)]],
            [f"b{index}" for index in range(8)],
            tmp_path / "input.tif",
            bounds,
        )

        assert grid.crs.to_epsg() == 32633
        assert ((grid.transform.c - transform.c) / 10).is_integer()
        assert ((grid.transform.f - transform.f) / 10).is_integer()
        with rasterio.open(tmp_path / "input.tif") as mosaic:
            col, row = ~mosaic.transform @ (transform.c + 1000, transform.f - 500)
            values = mosaic.read(window=Window(round(col), round(row), 200, 120))
        np.testing.assert_array_equal(values, expected)

"""The run's input image: its scenes reprojected and mosaicked over the area.

The grid is the newest scene's: its CRS, its pixel size and its pixel
corners, so an area drawn around one scene gives that scene's own grid back.
Scenes are read through WarpedVRTs one window at a time and the newest scene
wins where several have data; memory stays the same whatever the area's size.

The input keeps the scenes' raw values (before scaling) as float32 with NaN
for no data, one band per band of the tune's dataset, in the dataset's order.
"""

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import rasterio
from rasterio.coords import disjoint_bounds
from rasterio.crs import CRS
from rasterio.enums import MaskFlags, Resampling
from rasterio.errors import RasterioError
from rasterio.shutil import copy as copy_raster
from rasterio.transform import Affine
from rasterio.vrt import WarpedVRT
from rasterio.warp import transform_bounds
from rasterio.windows import Window

from .sources import (
    DRIVER,
    GDAL_OPTIONS,
    BandMatch,
    RunError,
    SceneSource,
    describe_error,
)

logger = logging.getLogger(__name__)

WGS84 = CRS.from_epsg(4326)
WINDOW = 1024
# About 10 000 x 10 000 pixels; a larger area is split into several runs.
MAX_PIXELS = 100_000_000
# GDAL's block cache would otherwise grow to 5% of the machine's memory
# while a large output is written.
GDAL_CACHE_MB = 64
COG_OPTIONS = {
    "compress": "deflate",
    "blocksize": 512,
    "bigtiff": "IF_SAFER",
    "overview_resampling": "average",
}


@dataclass
class Grid:
    crs: CRS
    transform: Affine
    width: int
    height: int

    @property
    def bounds_4326(self) -> tuple[float, float, float, float]:
        bounds = _window_bounds(Window(0, 0, self.width, self.height), self.transform)
        return transform_bounds(self.crs, WGS84, *bounds, densify_pts=21)


def build_input(
    scenes: list[SceneSource],
    matches: list[BandMatch],
    band_names: list[str],
    output: Path,
    bbox: tuple[float, float, float, float] | None,
    on_progress: Callable[[float], None] = lambda done: None,
) -> Grid:
    """Write the mosaic of ``scenes`` over ``bbox`` (EPSG:4326) as a COG."""
    with rasterio.Env(GDAL_CACHEMAX=GDAL_CACHE_MB, **GDAL_OPTIONS):
        sources = [
            [_open(asset.href, scene.name) for asset in scene.assets]
            for scene in scenes
        ]
        try:
            grid = _grid(sources, bbox)
            scratch = output.with_suffix(".scratch.tif")
            _write_mosaic(sources, matches, band_names, grid, scratch, on_progress)
            copy_raster(scratch, output, driver="COG", **COG_OPTIONS)
            scratch.unlink()
        finally:
            for assets in sources:
                for src in assets:
                    src.close()
    return grid


def _open(href: str, scene_name: str):
    try:
        return rasterio.open(href, driver=DRIVER)
    except (RasterioError, OSError) as exc:
        reason = describe_error(exc, href, scene_name)
        raise RunError(f"The scene {scene_name} cannot be read: {reason}") from exc


def _grid(sources, bbox: tuple[float, float, float, float] | None) -> Grid:
    newest = sources[0][0]
    if newest.transform.b or newest.transform.d:
        raise RunError(
            f"{Path(newest.name).name} is rotated; only north-up rasters are read."
        )
    crs = newest.crs
    if crs is None:
        raise RunError(f"{Path(newest.name).name} has no coordinate reference system.")
    x_origin, y_origin = newest.transform.c, newest.transform.f
    x_size, y_size = abs(newest.transform.a), abs(newest.transform.e)

    covered = None
    for assets in sources:
        for src in assets:
            bounds = transform_bounds(src.crs, crs, *src.bounds, densify_pts=21)
            covered = bounds if covered is None else _union(covered, bounds)
    if bbox is None:
        area = covered
    else:
        wanted = transform_bounds(WGS84, crs, *bbox, densify_pts=21)
        if disjoint_bounds(wanted, covered):
            raise RunError("The scenes found do not overlap the area.")
        area = _intersection(wanted, covered)

    # Snapped outwards to the newest scene's pixel corners; a hair of
    # tolerance keeps float noise from adding a whole column.
    left = x_origin + math.floor((area[0] - x_origin) / x_size + 1e-6) * x_size
    right = x_origin + math.ceil((area[2] - x_origin) / x_size - 1e-6) * x_size
    top = y_origin - math.floor((y_origin - area[3]) / y_size + 1e-6) * y_size
    bottom = y_origin - math.ceil((y_origin - area[1]) / y_size - 1e-6) * y_size
    width = round((right - left) / x_size)
    height = round((top - bottom) / y_size)
    if width < 1 or height < 1:
        raise RunError("The area is smaller than one pixel of the imagery.")
    if width * height > MAX_PIXELS:
        raise RunError(
            f"The area is {width} x {height} pixels at the imagery's resolution; "
            f"at most {MAX_PIXELS:,} pixels fit in one run. Draw a smaller area."
        )
    transform = Affine(x_size, 0, left, 0, -y_size, top)
    return Grid(crs, transform, width, height)


def _write_mosaic(sources, matches, band_names, grid: Grid, path: Path, on_progress):
    profile = {
        "driver": "GTiff",
        "width": grid.width,
        "height": grid.height,
        "count": len(band_names),
        "dtype": "float32",
        "nodata": float("nan"),
        "crs": grid.crs,
        "transform": grid.transform,
        "tiled": True,
        "blockxsize": 512,
        "blockysize": 512,
        "compress": "deflate",
        "bigtiff": "IF_SAFER",
    }
    warped = [
        [
            WarpedVRT(
                src,
                crs=grid.crs,
                transform=grid.transform,
                width=grid.width,
                height=grid.height,
                # Nearest keeps every value a real measurement; the grid is
                # the newest scene's own, so mostly nothing moves at all.
                resampling=Resampling.nearest,
                src_nodata=src.nodata,
                nodata=src.nodata,
                add_alpha=src.nodata is None and not _has_mask(src),
            )
            for src in assets
        ]
        for assets in sources
    ]
    extents = [
        [transform_bounds(src.crs, grid.crs, *src.bounds) for src in assets]
        for assets in sources
    ]
    windows = [
        Window(col, row, min(WINDOW, grid.width - col), min(WINDOW, grid.height - row))
        for row in range(0, grid.height, WINDOW)
        for col in range(0, grid.width, WINDOW)
    ]
    try:
        with rasterio.open(path, "w", **profile) as dst:
            for name_index, name in enumerate(band_names, start=1):
                dst.set_band_description(name_index, name)
            for done, window in enumerate(windows, start=1):
                dst.write(
                    _mosaic_window(warped, extents, matches, grid, window),
                    window=window,
                )
                on_progress(done / len(windows))
    finally:
        for assets in warped:
            for vrt in assets:
                vrt.close()


def _mosaic_window(warped, extents, matches, grid: Grid, window: Window) -> np.ndarray:
    out = np.full(
        (len(matches[0]), int(window.height), int(window.width)), np.nan, np.float32
    )
    filled = np.zeros(out.shape[1:], bool)
    bounds = _window_bounds(window, grid.transform)
    for vrts, scene_extents, match in zip(warped, extents, matches, strict=True):
        if filled.all():
            break
        if all(disjoint_bounds(bounds, extent) for extent in scene_extents):
            continue
        values = np.full(out.shape, np.nan, np.float32)
        for position, where in enumerate(match):
            if where is None:
                continue
            asset, index = where
            band = vrts[asset].read(index, window=window, masked=True)
            values[position] = band.astype(np.float32).filled(np.nan)
        # A scene covers a pixel where it has any of the bands; the newest
        # scene that covers it gives all of its bands.
        covers = np.isfinite(values).any(axis=0) & ~filled
        out[:, covers] = values[:, covers]
        filled |= covers
    return out


def _window_bounds(window: Window, transform: Affine) -> tuple[float, ...]:
    """(left, bottom, right, top) of a window of a north-up grid."""
    left, top = transform @ (window.col_off, window.row_off)
    right, bottom = transform @ (
        window.col_off + window.width,
        window.row_off + window.height,
    )
    return (left, bottom, right, top)


def _has_mask(src) -> bool:
    return any(MaskFlags.per_dataset in flags for flags in src.mask_flag_enums)


def _union(a, b):
    return (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))


def _intersection(a, b):
    return (max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3]))

"""Web map tiles of a run's layers, read from its COGs by rio-tiler."""

import warnings
from functools import cache
from typing import Any

import numpy as np
from rio_tiler.colormap import cmap
from rio_tiler.errors import TileOutsideBounds
from rio_tiler.io import Reader
from rio_tiler.models import ImageData

from .config import INPUT_LAYER, hex_to_rgb, layer, rgb_band_positions
from .models import InferenceRun

TILE_SIZE = 256
REGRESSION_COLOURS = "viridis"


def render_tile(run: InferenceRun, key: str, z: int, x: int, y: int) -> bytes:
    """A PNG tile of one of the run's layers; transparent outside its raster."""
    path = run.input_path if key == INPUT_LAYER else run.prediction_path
    # Image libraries warn about NaN no data and masked values; the mask
    # already says which pixels have none.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with Reader(str(path)) as reader:
            try:
                if key == INPUT_LAYER:
                    image = _input_tile(reader, run.config, z, x, y)
                    return image.render(img_format="PNG")
                image = reader.tile(x, y, z, tilesize=TILE_SIZE)
                if run.task_type != "segmentation":
                    low, high = run.value_range or (0.0, 1.0)
                    image = image.rescale(in_range=((low, max(high, low + 1e-6)),))
                return image.render(img_format="PNG", colormap=_colour_map(run))
            except TileOutsideBounds:
                return empty_tile()


@cache
def empty_tile() -> bytes:
    image = ImageData(
        np.ma.MaskedArray(
            np.zeros((1, TILE_SIZE, TILE_SIZE), np.uint8),
            mask=np.ones((1, TILE_SIZE, TILE_SIZE), bool),
        )
    )
    return image.render(img_format="PNG")


def legend(run: InferenceRun) -> list[dict[str, Any]]:
    """The prediction's legend: one entry per label category, or a colour ramp."""
    if run.task_type == "segmentation":
        return [
            {
                "name": category["name"],
                "colour": category["colour"],
                "opacity": category["opacity"],
            }
            for category in run.config.get("categories", [])
        ]
    if len(run.value_range) == 2:
        low, high = run.value_range
        colours = cmap.get(REGRESSION_COLOURS)
        return [
            {"name": f"{low:.4g}", "colour": _hex(colours[0]), "opacity": 1.0},
            {"name": f"{high:.4g}", "colour": _hex(colours[255]), "opacity": 1.0},
        ]
    return []


def _input_tile(reader: Reader, config: dict[str, Any], z: int, x: int, y: int):
    rgb = rgb_band_positions(config)
    if rgb is not None:
        top = float(layer(config, INPUT_LAYER).get("rgb_max") or 1.0)
        image = reader.tile(x, y, z, tilesize=TILE_SIZE, indexes=[i + 1 for i in rgb])
        return image.rescale(in_range=((0.0, top),) * 3)

    # Without R, G and B marks (radar, for one), the first band as grey,
    # stretched over two standard deviations either side of its mean.
    band = config["bands"][0]
    scale = band.get("scaling_factor") or 1.0
    mean, std = band.get("mean", 0.0), band.get("std", 1.0) or 1.0
    low, high = sorted([(mean - 2 * std) / scale, (mean + 2 * std) / scale])
    image = reader.tile(x, y, z, tilesize=TILE_SIZE, indexes=[1])
    return image.rescale(in_range=((low, high),))


def _colour_map(run: InferenceRun) -> dict[int, tuple[int, int, int, int]]:
    if run.task_type == "segmentation":
        return {
            category["value"]: (
                *hex_to_rgb(category["colour"]),
                round(255 * min(max(float(category["opacity"]), 0.0), 1.0)),
            )
            for category in run.config.get("categories", [])
        }
    return cmap.get(REGRESSION_COLOURS)


def _hex(rgba) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgba[:3])

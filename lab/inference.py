"""Running a tune's model over a run's input image, one block at a time.

The input is prepared exactly as the training chips were: each band times its
scaling factor, no data replaced by the band's training mean, then
(x - mean) / std with the dataset's statistics.

Tiles overlap and are blended with weights that fall off towards their edges,
so tile seams do not show. The tile grid is global, and the raster is
processed in square blocks of that grid: a block runs every tile that touches
it and keeps only its own pixels, so each pixel is blended from exactly the
tiles that cover it, as if the whole scene were one piece, while memory stays
that of one block whatever the scene's size. A tile across a block's right
edge is handed on to the next block; one across its bottom edge runs again
for the block below: with blocks of 8 x 8 strides, about an eighth more tiles
than the scene has, the price of memory that does not grow with its width.

Only TerraTorch and torch are needed here, no database: the benchmark runs it
on a model it builds itself.
"""

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import rasterio
import torch
from rasterio.shutil import copy as copy_raster
from rasterio.windows import Window

from .config import hex_to_rgb
from .mosaic import COG_OPTIONS, GDAL_CACHE_MB
from .sources import RunError

logger = logging.getLogger(__name__)

SEGMENTATION = "segmentation"
SEGMENTATION_NODATA = 255
REGRESSION_NODATA = -9999.0
BATCH_SIZE = 8
BLOCK_STRIDES = 8


def load_model(tune) -> torch.nn.Module:
    """The tune's trained model on the CPU, in eval mode; nothing is downloaded."""
    from tunes.checkpoints import load_tuned_model

    if not tune.checkpoint_path.is_file():
        raise RunError(f"The tune {tune.name} has no checkpoint to run.")
    return load_tuned_model(tune)


@dataclass
class Preprocessing:
    """What turns the input's raw bands into the model's input."""

    positions: list[int]
    scale: np.ndarray
    mean: np.ndarray
    std: np.ndarray

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> "Preprocessing":
        used = [
            (position, band)
            for position, band in enumerate(config["bands"])
            if band.get("use", True)
        ]

        def column(name: str, default: float) -> np.ndarray:
            values = [band.get(name, default) or default for _, band in used]
            return np.array(values, np.float32).reshape(-1, 1, 1)

        return cls(
            positions=[position for position, _ in used],
            scale=column("scaling_factor", 1.0),
            mean=column("mean", 0.0),
            std=column("std", 1.0),
        )

    def apply(self, raw: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The normalised bands, and where no band in use has data."""
        values = raw[self.positions].astype(np.float32)
        valid = np.isfinite(values)
        scaled = np.where(valid, values * self.scale, self.mean)
        normalised = (scaled - self.mean) / self.std
        return normalised.astype(np.float32), ~valid.any(axis=0)


def predict(
    model: torch.nn.Module,
    input_path: Path,
    output_path: Path,
    config: dict[str, Any],
    tile_size: int,
    on_progress: Callable[[float], None] = lambda done: None,
) -> list[float]:
    """Write the model's prediction over ``input_path`` as a COG.

    Segmentation gives uint8 category values with the categories' colours as
    a colour table; regression gives float32. Pixels where the input has no
    data are no data. Returns the [min, max] of a regression's values.
    """
    preprocessing = Preprocessing.from_config(config)
    segmentation = config.get("task_type", SEGMENTATION) == SEGMENTATION
    categories = sorted(config.get("categories", []), key=lambda each: each["value"])
    if segmentation:
        _check_category_values(categories)
    values = np.array([each["value"] for each in categories], np.uint8)

    scratch = output_path.with_suffix(".scratch.tif")
    value_range = [np.inf, -np.inf]
    with rasterio.Env(GDAL_CACHEMAX=GDAL_CACHE_MB), rasterio.open(input_path) as src:
        profile = {
            "driver": "GTiff",
            "width": src.width,
            "height": src.height,
            "count": 1,
            "crs": src.crs,
            "transform": src.transform,
            "tiled": True,
            "blockxsize": 512,
            "blockysize": 512,
            "compress": "deflate",
            "bigtiff": "IF_SAFER",
            "dtype": "uint8" if segmentation else "float32",
            "nodata": SEGMENTATION_NODATA if segmentation else REGRESSION_NODATA,
        }
        with rasterio.open(scratch, "w", **profile) as dst:
            if segmentation:
                dst.write_colormap(1, _colour_table(categories))
            blocks = list(_blocks(src.height, src.width, tile_size))
            carried: dict[tuple[int, int], np.ndarray] = {}
            for done, block in enumerate(blocks, start=1):
                if block.window.col_off == 0:
                    carried = {}
                scores, nodata, carried = _predict_block(
                    model,
                    src,
                    preprocessing,
                    block,
                    tile_size,
                    len(categories),
                    carried,
                )
                if segmentation:
                    result = np.where(
                        nodata, SEGMENTATION_NODATA, values[scores.argmax(axis=0)]
                    ).astype(np.uint8)
                else:
                    result = np.where(nodata, REGRESSION_NODATA, scores[0])
                    if (~nodata).any():
                        valid = scores[0][~nodata]
                        value_range[0] = min(value_range[0], float(valid.min()))
                        value_range[1] = max(value_range[1], float(valid.max()))
                dst.write(result.astype(profile["dtype"]), 1, window=block.window)
                on_progress(done / len(blocks))

        options = dict(COG_OPTIONS)
        if segmentation:
            # Overviews of categories pick a category, never an average of two.
            options["overview_resampling"] = "nearest"
        copy_raster(scratch, output_path, driver="COG", **options)
    scratch.unlink()
    if segmentation or not np.isfinite(value_range).all():
        return []
    return value_range


@dataclass
class Block:
    window: Window
    tile_rows: list[int]
    tile_cols: list[int]


def tile_starts(length: int, tile_size: int) -> list[int]:
    """Where tiles start along one axis: a quarter overlap, the last one flush."""
    stride = _stride(tile_size)
    if length <= tile_size:
        return [0]
    starts = list(range(0, length - tile_size, stride))
    starts.append(length - tile_size)
    return starts


def blend_weights(tile_size: int) -> np.ndarray:
    """A tile's blending weights: 1 inside, falling linearly across the overlap."""
    overlap = tile_size - _stride(tile_size)
    edge = np.minimum(np.arange(tile_size), np.arange(tile_size)[::-1])
    ramp = np.minimum(1.0, (edge + 1) / (overlap + 1)).astype(np.float32)
    return np.outer(ramp, ramp)


def _stride(tile_size: int) -> int:
    return tile_size - tile_size // 4


def _blocks(height: int, width: int, tile_size: int) -> Iterator[Block]:
    size = _stride(tile_size) * BLOCK_STRIDES
    rows, cols = tile_starts(height, tile_size), tile_starts(width, tile_size)
    for top in range(0, height, size):
        bottom = min(top + size, height)
        tile_rows = [row for row in rows if row < bottom and row + tile_size > top]
        for left in range(0, width, size):
            right = min(left + size, width)
            tile_cols = [col for col in cols if col < right and col + tile_size > left]
            yield Block(
                Window(left, top, right - left, bottom - top), tile_rows, tile_cols
            )


def _predict_block(
    model: torch.nn.Module,
    src,
    preprocessing: Preprocessing,
    block: Block,
    tile_size: int,
    classes: int,
    carried: dict[tuple[int, int], np.ndarray],
) -> tuple[np.ndarray, np.ndarray, dict[tuple[int, int], np.ndarray]]:
    """Blended scores (classes or 1, h, w) of one block, and where it has no data.

    ``carried`` holds the outputs of the previous block's tiles that reach into
    this one; the tiles that reach into the next block are returned likewise.
    """
    window = block.window
    top, left = int(window.row_off), int(window.col_off)
    height, width = int(window.height), int(window.width)
    # The region every tile of the block reads from, in raster pixels.
    region_top, region_left = block.tile_rows[0], block.tile_cols[0]
    region_bottom = min(block.tile_rows[-1] + tile_size, src.height)
    region_right = min(block.tile_cols[-1] + tile_size, src.width)
    raw = src.read(
        window=Window(
            region_left,
            region_top,
            region_right - region_left,
            region_bottom - region_top,
        )
    )
    inputs, region_nodata = preprocessing.apply(raw)
    nodata = region_nodata[
        top - region_top : top - region_top + height,
        left - region_left : left - region_left + width,
    ]
    channels = max(classes, 1)
    scores = np.zeros((channels, height, width), np.float32)
    if nodata.all():
        return scores, nodata, {}

    weights = blend_weights(tile_size)
    total = np.zeros((height, width), np.float32)
    passed_on: dict[tuple[int, int], np.ndarray] = {}

    def blend(row: int, col: int, output: np.ndarray) -> None:
        y0, y1 = max(row, top), min(row + tile_size, top + height)
        x0, x1 = max(col, left), min(col + tile_size, left + width)
        weight = weights[y0 - row : y1 - row, x0 - col : x1 - col]
        scores[:, y0 - top : y1 - top, x0 - left : x1 - left] += (
            output[:, y0 - row : y1 - row, x0 - col : x1 - col] * weight
        )
        total[y0 - top : y1 - top, x0 - left : x1 - left] += weight
        if col + tile_size > left + width:
            # A copy: the output is a view of its whole batch.
            passed_on[(row, col)] = output.copy()

    tiles = [
        (row, col)
        for row in block.tile_rows
        for col in block.tile_cols
        # A tile without data covers only pixels without data: skipped.
        if not region_nodata[
            row - region_top : row - region_top + tile_size,
            col - region_left : col - region_left + tile_size,
        ].all()
    ]
    for tile in tiles:
        if tile in carried:
            blend(*tile, carried[tile])
    todo = [tile for tile in tiles if tile not in carried]
    for start in range(0, len(todo), BATCH_SIZE):
        batch = todo[start : start + BATCH_SIZE]
        chips = np.zeros(
            (len(batch), inputs.shape[0], tile_size, tile_size), np.float32
        )
        for position, (row, col) in enumerate(batch):
            chip = inputs[
                :,
                row - region_top : row - region_top + tile_size,
                col - region_left : col - region_left + tile_size,
            ]
            # Past the raster's edge the padding is 0, the band mean after
            # normalisation: what a missing pixel becomes in training.
            chips[position, :, : chip.shape[1], : chip.shape[2]] = chip
        outputs = _forward(model, chips, classes)
        for (row, col), output in zip(batch, outputs, strict=True):
            blend(row, col, output)
    np.divide(scores, total, out=scores, where=total > 0)
    return scores, nodata, passed_on


def _forward(model: torch.nn.Module, chips: np.ndarray, classes: int) -> np.ndarray:
    with torch.inference_mode():
        output = model(torch.from_numpy(chips))
        output = getattr(output, "output", output)
        if output.ndim == 3:
            output = output.unsqueeze(1)
        if classes:
            if output.shape[1] != classes:
                raise RunError(
                    f"The model gives {output.shape[1]} classes but the tune has "
                    f"{classes} label categories."
                )
            output = output.softmax(dim=1)
    return output.float().numpy()


def _check_category_values(categories: list[dict[str, Any]]) -> None:
    outside = [each["value"] for each in categories if not 0 <= each["value"] < 255]
    if outside:
        raise RunError(
            "Label category values must be 0 to 254 to be written as a colour "
            f"table; these are not: {', '.join(map(str, outside))}."
        )


def _colour_table(categories: list[dict[str, Any]]) -> dict[int, tuple[int, ...]]:
    # Full opacity in the file: opacity is how the lab's map shows a layer,
    # and a file opened in QGIS should show every category.
    table = {each["value"]: (*hex_to_rgb(each["colour"]), 255) for each in categories}
    table[SEGMENTATION_NODATA] = (0, 0, 0, 0)
    return table


class ProgressThrottle:
    """Calls ``write`` with the fraction done, at most once a second."""

    def __init__(self, write: Callable[[float], None], interval: float = 1.0):
        self.write = write
        self.interval = interval
        self.last = 0.0

    def __call__(self, done: float) -> None:
        now = time.monotonic()
        if done >= 1.0 or now - self.last >= self.interval:
            self.last = now
            self.write(done)

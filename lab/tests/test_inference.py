import numpy as np
import pytest
import rasterio
import torch
from rasterio.transform import from_origin

from lab.inference import (
    REGRESSION_NODATA,
    Preprocessing,
    blend_weights,
    predict,
    tile_starts,
)
from lab.sources import RunError

from .factories import NIGERIA

BANDS = [
    {
        "index": 0,
        "use": True,
        "name": "VV",
        "scaling_factor": 1.0,
        "mean": -10.0,
        "std": 4.0,
    },
    {
        "index": 1,
        "use": True,
        "name": "VH",
        "scaling_factor": 1.0,
        "mean": -17.0,
        "std": 5.0,
    },
]
CATEGORIES = [
    {"value": 0, "name": "dry", "colour": "#a6761d", "opacity": 0.0},
    {"value": 1, "name": "water", "colour": "#1f78b4", "opacity": 0.8},
]


class PixelModel(torch.nn.Module):
    """Scores that depend on each pixel alone, so tiling cannot change them."""

    def __init__(self, classes: int):
        super().__init__()
        self.classes = classes
        self.tiles = 0

    def forward(self, x):
        self.tiles += x.shape[0]
        if self.classes:
            return torch.cat([x[:, :1], -x[:, :1]], dim=1)
        return x[:, 0]


@pytest.fixture
def big_input(tmp_path):
    """The Nigeria chip repeated to 1100 x 900 pixels, its no data included."""
    with rasterio.open(NIGERIA) as src:
        chip = src.read()
    values = np.tile(chip, (1, 2, 3))[:, :900, :1100]
    path = tmp_path / "input.tif"
    profile = {
        "driver": "GTiff",
        "width": 1100,
        "height": 900,
        "count": 2,
        "dtype": "float32",
        "nodata": float("nan"),
        "crs": "EPSG:4326",
        "transform": from_origin(5.0, 9.0, 1e-4, 1e-4),
        "tiled": True,
    }
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(values)
    return path, values


class TestPredict:
    def test_blocks_and_tiles_give_what_the_whole_image_would(
        self, big_input, tmp_path
    ):
        path, values = big_input
        config = {"bands": BANDS, "categories": CATEGORIES, "task_type": "segmentation"}

        # 64-pixel tiles make blocks of 384 pixels: nine blocks, and tiles
        # across their edges.
        model = PixelModel(2)
        predict(model, path, tmp_path / "out.tif", config, tile_size=64)

        vv = (values[0] + 10) / 4
        missing = np.isnan(values).all(axis=0)
        expected = np.where(missing, 255, np.where(np.nan_to_num(vv) >= 0, 0, 1))
        with rasterio.open(tmp_path / "out.tif") as out:
            np.testing.assert_array_equal(out.read(1), expected)
            assert out.colormap(1)[0] == (166, 118, 29, 255)
            assert out.colormap(1)[255][3] == 0
        # 23 tile columns run once each; of the 19 tile rows, two straddle a
        # block's bottom edge and run again for the block below.
        assert model.tiles == 23 * 21

    def test_regression_writes_float_values(self, big_input, tmp_path):
        path, values = big_input
        config = {"bands": BANDS, "task_type": "regression"}

        value_range = predict(
            PixelModel(0), path, tmp_path / "out.tif", config, tile_size=64
        )

        vv = (np.nan_to_num(values[0], nan=-10.0) + 10) / 4
        missing = np.isnan(values).all(axis=0)
        with rasterio.open(tmp_path / "out.tif") as out:
            result = out.read(1)
            assert out.dtypes == ("float32",)
            assert out.nodata == REGRESSION_NODATA
        np.testing.assert_allclose(result[~missing], vv[~missing], atol=1e-5)
        assert (result[missing] == REGRESSION_NODATA).all()
        assert value_range == pytest.approx([vv[~missing].min(), vv[~missing].max()])

    def test_a_model_with_other_classes_fails(self, big_input, tmp_path):
        path, _ = big_input
        config = {
            "bands": BANDS,
            "categories": [*CATEGORIES, {**CATEGORIES[0], "value": 2}],
            "task_type": "segmentation",
        }

        with pytest.raises(RunError, match="gives 2 classes but the tune has 3"):
            predict(PixelModel(2), path, tmp_path / "out.tif", config, tile_size=64)


class TestTiling:
    @pytest.mark.parametrize("length", [1, 64, 65, 300, 1000])
    def test_tiles_cover_every_pixel(self, length):
        covered = np.zeros(length, bool)
        for start in tile_starts(length, 64):
            covered[start : start + 64] = True
            assert start + 64 <= max(length, 64)
        assert covered.all()

    def test_weights_fall_towards_the_edges_but_never_reach_zero(self):
        weights = blend_weights(64)

        assert weights.min() > 0
        assert weights[32, 32] == 1.0
        assert weights[0, 32] < weights[8, 32] < weights[16, 32]


class TestPreprocessing:
    def test_it_prepares_bands_as_training_did(self):
        bands = [
            {**BANDS[0], "scaling_factor": 2.0},
            {**BANDS[1], "use": False},
        ]
        raw = np.array([[[1.0, np.nan]], [[5.0, 5.0]]], np.float32)

        inputs, missing = Preprocessing.from_config({"bands": bands}).apply(raw)

        # Scaled, then normalised; no data becomes the mean, which is 0.
        np.testing.assert_allclose(inputs, [[[(2.0 + 10) / 4, 0.0]]])
        assert missing.tolist() == [[False, True]]

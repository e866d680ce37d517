"""Datasets and chips for the datasets app's tests, built from real files."""

import shutil
from pathlib import Path

import numpy as np
import rasterio
from affine import Affine
from django.conf import settings

from datasets.models import Dataset
from datasets.onboarding import onboard_dataset
from datasets.specs import BandSpec, CategorySpec, save_dataset

SHARED_DATA = Path(settings.BASE_DIR).parent / "shared" / "data"
SEN1FLOODS11 = SHARED_DATA / "sen1floods11"
REGRESSION = SHARED_DATA / "regression"


def make_dataset(**fields) -> Dataset:
    """A pending dataset shaped like Sen1Floods11 unless fields say otherwise."""
    bands = fields.pop("bands", [BandSpec("VV"), BandSpec("VH")])
    categories = fields.pop(
        "categories",
        [CategorySpec(0, "dry", "#a6761d"), CategorySpec(1, "water", "#1f78b4")],
    )
    defaults = {
        "name": "Floods",
        "shared": True,
        "image_suffix": "_S1Hand.tif",
        "label_suffix": "_LabelHand.tif",
    }
    return save_dataset(bands, categories, **(defaults | fields))


def onboarded(dataset: Dataset, source) -> Dataset:
    onboard_dataset(dataset.pk, str(source))
    dataset.refresh_from_db()
    return dataset


def copy_chips(folder: Path, chip_ids: list[str]) -> Path:
    """Copy real Sen1Floods11 chips, image and label, into folder."""
    folder.mkdir(parents=True, exist_ok=True)
    for chip_id in chip_ids:
        for subfolder in ("S1Hand", "LabelHand"):
            name = f"{chip_id}_{subfolder}.tif"
            shutil.copyfile(SEN1FLOODS11 / subfolder / name, folder / name)
    return folder


def write_chip(path: Path, array, nodata=None, crs="EPSG:32631", transform=None):
    """Write a small GeoTIFF from a (bands, height, width) or (height, width) array."""
    array = np.asarray(array)
    if array.ndim == 2:
        array = array[np.newaxis]
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        count=array.shape[0],
        height=array.shape[1],
        width=array.shape[2],
        dtype=array.dtype,
        nodata=nodata,
        crs=crs,
        transform=transform or Affine(10, 0, 500000, 0, -10, 4000000),
    ) as dst:
        dst.write(array)


def write_synthetic_chips(folder: Path, count: int, size: int = 8) -> Path:
    """Write count small two-band chips with labels of both categories."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(count)
    for n in range(count):
        image = rng.normal(-12, 4, (2, size, size)).astype(np.float32)
        label = (np.arange(size * size).reshape(size, size) % 2).astype(np.int16)
        write_chip(folder / f"chip{n:02d}_S1Hand.tif", image, nodata=float("nan"))
        write_chip(folder / f"chip{n:02d}_LabelHand.tif", label)
    return folder

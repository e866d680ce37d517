"""The Sen1Floods11 sample dataset that ships with the studio.

The seed command, the tests and the benchmarks describe it from here.
"""

from django.conf import settings

from .models import Dataset
from .specs import BandSpec, CategorySpec, save_dataset

NAME = "Sen1Floods11 flood chips (Sentinel-1)"
DESCRIPTION = (
    "Eleven hand-labelled Sentinel-1 chips of floods around the world, 512 x 512 "
    "pixels at about 10 m: VV and VH backscatter in dB, labelled dry or water. "
    "Three chips are broken on purpose, as real data is."
)
ATTRIBUTION = (
    'Bonafilia et al., "Sen1Floods11: a georeferenced dataset to train and test '
    'deep learning flood algorithms for Sentinel-1", CVPR Workshops 2020. '
    "Data published by Cloud to Street."
)
BANDS = [BandSpec("VV"), BandSpec("VH")]
CATEGORIES = [
    CategorySpec(0, "dry", "#a6761d", opacity=0.0),
    CategorySpec(1, "water", "#1f78b4", opacity=0.8),
]


def sample_folder():
    return settings.SAMPLE_DATA_DIR / "sen1floods11"


def new_sample_dataset(**fields) -> Dataset:
    """A pending dataset described as the sample is, ready to onboard."""
    defaults = {
        "name": NAME,
        "description": DESCRIPTION,
        "task_type": Dataset.TaskType.SEGMENTATION,
        "source_name": "Sentinel-1 GRD",
        "source_collection": "sentinel-1-grd",
        "image_suffix": "_S1Hand.tif",
        "label_suffix": "_LabelHand.tif",
        "label_nodata": -1,
        "attribution": ATTRIBUTION,
    }
    return save_dataset(BANDS, CATEGORIES, **(defaults | fields))

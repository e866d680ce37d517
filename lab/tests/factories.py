"""Rows for tests that need an inference run but run nothing."""

import rasterio
from django.conf import settings
from rasterio.warp import transform_bounds

from lab.config import lab_config, run_config
from lab.models import InferenceRun
from tunes.models import Tune

# The one sample chip with a few pixels of no data in both bands.
NIGERIA = (
    settings.SAMPLE_DATA_DIR / "sen1floods11" / "S1Hand" / "Nigeria_812045_S1Hand.tif"
)


def nigeria_area() -> dict[str, float]:
    with rasterio.open(NIGERIA) as src:
        bounds = transform_bounds(src.crs, "EPSG:4326", *src.bounds)
    return dict(zip(["west", "south", "east", "north"], bounds, strict=True))


def make_run(owner, tune: Tune, **fields) -> InferenceRun:
    """A queued run of ``tune`` over the Nigeria chip, as the run form makes it."""
    values = {
        "name": "Nigeria floods",
        "source": InferenceRun.Source.CATALOG,
        "start_date": "2018-06-01",
        "end_date": "2019-06-01",
        **nigeria_area(),
    }
    values.update(fields)
    return InferenceRun.objects.create(
        owner=owner,
        tune=tune,
        tune_name=tune.name,
        task_type=tune.template.task_type,
        config=run_config(tune, lab_config(tune)),
        **values,
    )

"""The bands and label categories of a new dataset, as a person types them.

The create form, the onboard_dataset command and the sample seed all describe a
dataset the same way; this module parses and checks that description and saves
the rows onboarding starts from.
"""

import math
import re
from dataclasses import dataclass

from django.db import transaction

from .models import Band, Dataset, LabelCategory

# Prepared label rasters are int16 with -1 for no data (the trainer's
# ignore_index), so a category can use neither -1 nor a value int16 cannot hold.
RESERVED_LABEL_VALUE = -1
INT16_MIN, INT16_MAX = -32768, 32767

PALETTE = ["#1f78b4", "#33a02c", "#e31a1c", "#ff7f00", "#6a3d9a", "#b15928"]
COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


@dataclass(frozen=True)
class BandSpec:
    name: str
    scaling_factor: float = 1.0
    rgb: str = ""


@dataclass(frozen=True)
class CategorySpec:
    value: int
    name: str
    colour: str
    opacity: float = 1.0
    weight: float = 1.0


def parse_band(text: str) -> BandSpec:
    """Parse "NAME", "NAME:SCALE" or "NAME:SCALE:R|G|B", e.g. "B04:0.0001:R"."""
    parts = [part.strip() for part in text.strip().split(":")]
    name = parts[0]
    if not name:
        raise ValueError(f'"{text}": a band needs a name')
    if len(parts) > 3:
        raise ValueError(
            f'"{text}": write a band as NAME, NAME:SCALE or NAME:SCALE:R|G|B'
        )
    if len(name) > 50:
        raise ValueError(f'"{text}": a band name has at most 50 characters')
    factor = 1.0
    if len(parts) > 1 and parts[1]:
        try:
            factor = float(parts[1])
        except ValueError:
            raise ValueError(f'"{text}": the scaling factor must be a number') from None
        if not math.isfinite(factor) or factor == 0:
            raise ValueError(f'"{text}": the scaling factor must be a non-zero number')
    rgb = parts[2].upper() if len(parts) == 3 else ""
    if rgb not in {"", "R", "G", "B"}:
        raise ValueError(f'"{text}": the display channel must be R, G or B')
    return BandSpec(name, factor, rgb)


def parse_category(text: str, position: int = 0) -> CategorySpec:
    """Parse "VALUE:NAME[:#rrggbb[:OPACITY[:WEIGHT]]]", e.g. "1:water:#1f78b4:0.8"."""
    parts = [part.strip() for part in text.strip().split(":")]
    if not 2 <= len(parts) <= 5 or not parts[1]:
        raise ValueError(
            f'"{text}": write a category as VALUE:NAME, optionally followed by '
            ":#rrggbb, :OPACITY and :WEIGHT"
        )
    try:
        value = int(parts[0])
    except ValueError:
        raise ValueError(f'"{text}": the value must be a whole number') from None
    if len(parts[1]) > 100:
        raise ValueError(f'"{text}": a category name has at most 100 characters')
    colour = (
        parts[2] if len(parts) > 2 and parts[2] else PALETTE[position % len(PALETTE)]
    )
    if not COLOUR.match(colour):
        raise ValueError(f'"{text}": the colour must look like #1f78b4')
    opacity = _number(text, parts, 3, "opacity", 1.0)
    if not 0 <= opacity <= 1:
        raise ValueError(f'"{text}": the opacity goes from 0 to 1')
    weight = _number(text, parts, 4, "weight", 1.0)
    if weight < 0:
        raise ValueError(f'"{text}": the weight cannot be negative')
    return CategorySpec(value, parts[1], colour.lower(), opacity, weight)


def _number(text: str, parts: list[str], position: int, what: str, default: float):
    if len(parts) <= position or not parts[position]:
        return default
    try:
        number = float(parts[position])
    except ValueError:
        raise ValueError(f'"{text}": the {what} must be a number') from None
    if not math.isfinite(number):
        raise ValueError(f'"{text}": the {what} must be a number')
    return number


def parse_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def check_specs(
    task_type: str,
    label_nodata: float,
    bands: list[BandSpec],
    categories: list[CategorySpec],
) -> None:
    """Raise ValueError naming the first problem in a dataset's description."""
    if not bands:
        raise ValueError("A dataset needs at least one band.")
    names = [band.name for band in bands]
    if duplicates := sorted({name for name in names if names.count(name) > 1}):
        raise ValueError(f"Band names must differ: {', '.join(duplicates)}")

    if task_type == Dataset.TaskType.REGRESSION:
        if categories:
            raise ValueError("A regression dataset has no label categories.")
        return
    if not categories:
        raise ValueError("A segmentation dataset needs at least one label category.")
    values = [category.value for category in categories]
    if duplicates := sorted({value for value in values if values.count(value) > 1}):
        raise ValueError(
            f"Category values must differ: {', '.join(map(str, duplicates))}"
        )
    for value in values:
        if value == RESERVED_LABEL_VALUE:
            raise ValueError(
                "Category value -1 is reserved: prepared labels use it for no data."
            )
        if not INT16_MIN <= value <= INT16_MAX:
            raise ValueError(f"Category value {value} does not fit in 16 bits.")
    if label_nodata in values:
        raise ValueError(
            f"The label no-data value {label_nodata:g} is also a category value."
        )


def check_suffixes(image_suffix: str, label_suffix: str) -> None:
    if not image_suffix or not label_suffix:
        raise ValueError("Both the image and the label file suffix are needed.")
    if image_suffix == label_suffix:
        raise ValueError("The image and label file suffixes must differ.")


@transaction.atomic
def save_dataset(
    bands: list[BandSpec], categories: list[CategorySpec], **fields
) -> Dataset:
    """Create a pending dataset with its bands and label categories."""
    dataset = Dataset.objects.create(**fields)
    Band.objects.bulk_create(
        Band(
            dataset=dataset,
            index=index,
            name=band.name,
            scaling_factor=band.scaling_factor,
            rgb=band.rgb,
        )
        for index, band in enumerate(bands)
    )
    LabelCategory.objects.bulk_create(
        LabelCategory(
            dataset=dataset,
            value=category.value,
            name=category.name,
            colour=category.colour,
            opacity=category.opacity,
            weight=category.weight,
        )
        for category in categories
    )
    return dataset

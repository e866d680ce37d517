"""A tune's lab configuration: data source, bands, label categories, layers.

The defaults come from the tune and its dataset; what a person changes in the
"Try in Lab" dialog is saved in ``Tune.lab_config`` and laid over them, entry
by entry, so a band or category the saved copy lacks still has its defaults.
"""

from typing import Any

from tunes.models import Template, Tune

INPUT_LAYER = "input"
PREDICTION_LAYER = "prediction"
LAYER_KEYS = [INPUT_LAYER, PREDICTION_LAYER]
DEFAULT_RGB_MAX = 3000.0
# Convolutional backbones take any tile whose sides are a multiple of 32;
# vision transformers take the size they were tuned at.
CNN_FAMILIES = {"resnet", "convnext"}
CNN_TILE_SIZE = 256
SOURCE_KINDS = ["catalog", "stac"]


def lab_config(tune: Tune, saved: dict[str, Any] | None = None) -> dict[str, Any]:
    """The tune's effective lab configuration: defaults, then what was saved."""
    config = default_lab_config(tune)
    saved = tune.lab_config if saved is None else saved
    if not saved:
        return config

    source = saved.get("source") or {}
    for key in ("kind", "name", "collection"):
        if isinstance(source.get(key), str):
            config["source"][key] = source[key]
    if config["source"]["kind"] not in SOURCE_KINDS:
        config["source"]["kind"] = "catalog"
    if isinstance(saved.get("file_suffix"), str):
        config["file_suffix"] = saved["file_suffix"]

    _overlay(config["bands"], saved.get("bands"), "index", BAND_FIELDS)
    _overlay(config["categories"], saved.get("categories"), "value", CATEGORY_FIELDS)
    _overlay(config["layers"], saved.get("layers"), "key", LAYER_FIELDS)
    return config


def default_lab_config(tune: Tune) -> dict[str, Any]:
    dataset = tune.dataset
    stats = {band.index: band for band in dataset.bands.all()}
    bands = [
        {
            "index": band["index"],
            "use": bool(band.get("use", True)),
            "name": band["name"],
            "scaling_factor": float(band.get("scaling_factor", 1.0)),
            "rgb": band.get("rgb", ""),
        }
        for band in sorted(tune.bands, key=lambda band: band["index"])
    ]
    categories = []
    if tune.template.task_type == Template.TaskType.SEGMENTATION:
        categories = [
            {
                "value": category.value,
                "name": category.name,
                "colour": category.colour,
                "opacity": category.opacity,
            }
            for category in dataset.label_categories.order_by("value")
        ]
    return {
        "source": {
            "kind": "catalog",
            "name": dataset.source_name,
            "collection": dataset.source_collection,
        },
        "file_suffix": dataset.image_suffix,
        "bands": bands,
        "categories": categories,
        "layers": [
            {
                "key": INPUT_LAYER,
                "name": "Input image (RGB)",
                "z_index": 1,
                "rgb_max": _default_rgb_max(bands, stats),
            },
            {"key": PREDICTION_LAYER, "name": "Model prediction", "z_index": 2},
        ],
    }


def run_config(tune: Tune, config: dict[str, Any]) -> dict[str, Any]:
    """The copy a run keeps: the configuration plus what it needs of the tune.

    The dataset's band statistics travel with it, so a run can still be
    prepared and shown after its tune or dataset is gone.
    """
    stats = {band.index: band for band in tune.dataset.bands.all()}
    bands = []
    for band in config["bands"]:
        row = stats.get(band["index"])
        trained = next(
            (each for each in tune.bands if each["index"] == band["index"]), {}
        )
        # The statistics the tune trained with, else the dataset's today.
        mean = trained.get("mean", row.mean if row else None)
        std = trained.get("std", row.std if row else None)
        bands.append(
            {
                **band,
                "mean": mean if mean is not None else 0.0,
                "std": std or 1.0,
            }
        )
    if tune.backbone.family in CNN_FAMILIES:
        tile_size = CNN_TILE_SIZE
    else:
        tile_size = int(tune.parameters.get("crop_size", 224))
    return {
        **config,
        "bands": bands,
        "task_type": tune.template.task_type,
        "tile_size": tile_size,
    }


def used_bands(config: dict[str, Any]) -> list[dict[str, Any]]:
    return [band for band in config["bands"] if band.get("use", True)]


def rgb_band_positions(config: dict[str, Any]) -> list[int] | None:
    """Positions of the R, G and B bands in the run's input, or None."""
    positions = {
        band["rgb"]: position
        for position, band in enumerate(config["bands"])
        if band.get("rgb")
    }
    if all(colour in positions for colour in "RGB"):
        return [positions["R"], positions["G"], positions["B"]]
    return None


def hex_to_rgb(colour: str) -> tuple[int, int, int]:
    """ "#1f78b4" as (31, 120, 180); grey for anything that is not a colour."""
    digits = colour.lstrip("#")
    try:
        return (int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16))
    except ValueError:
        return (136, 136, 136)


def layer(config: dict[str, Any], key: str) -> dict[str, Any]:
    return next(each for each in config["layers"] if each["key"] == key)


BAND_FIELDS = {"name": str, "scaling_factor": float, "rgb": str}
CATEGORY_FIELDS = {"name": str, "colour": str, "opacity": float}
LAYER_FIELDS = {"name": str, "z_index": int, "rgb_max": float}


def _overlay(
    rows: list[dict[str, Any]],
    saved: Any,
    key: str,
    fields: dict[str, type],
) -> None:
    if not isinstance(saved, list):
        return
    by_key = {row.get(key): row for row in saved if isinstance(row, dict)}
    for row in rows:
        override = by_key.get(row[key])
        if override is None:
            continue
        for name, kind in fields.items():
            if name not in override:
                continue
            try:
                row[name] = kind(override[name])
            except (TypeError, ValueError):
                continue


def _default_rgb_max(bands: list[dict[str, Any]], stats: dict) -> float:
    """Two standard deviations above the brightest RGB band's mean, raw units."""
    highs = []
    for band in bands:
        row = stats.get(band["index"])
        if band["rgb"] and row and row.mean is not None and row.std:
            scale = band["scaling_factor"] or 1.0
            highs.append((row.mean + 2 * row.std) / scale)
    if not highs:
        return DEFAULT_RGB_MAX
    return float(f"{max(highs):.3g}")

"""Builds the TerraTorch task and datamodule of a tune.

Everything TerraTorch needs is derived here from the tune's template, backbone,
dataset and parameters, so the worker and any export read the same settings.
Import this module only where training happens: TerraTorch takes seconds to
import.
"""

import logging
from typing import Any

import albumentations as A
from albumentations.pytorch import ToTensorV2
from terratorch.datamodules import (
    GenericNonGeoPixelwiseRegressionDataModule,
    GenericNonGeoSegmentationDataModule,
)
from terratorch.tasks import PixelwiseRegressionTask, SemanticSegmentationTask

from .models import Template, Tune

logger = logging.getLogger(__name__)

# ResNets give five feature maps (strides 2 to 32), ConvNeXts four (4 to 32);
# a U-Net decoder needs one channel count per map.
UNET_CHANNELS = {
    "resnet": [256, 128, 64, 32, 16],
    "convnext": [512, 256, 128, 64],
}
# ViT layers whose tokens feed the decoder, by depth.
VIT_LAYER_INDICES = {12: [2, 5, 8, 11], 24: [5, 11, 17, 23], 32: [7, 15, 23, 31]}


def selected_bands(tune: Tune) -> list[dict[str, Any]]:
    return [band for band in tune.bands if band.get("use", True)]


def build_datamodule(tune: Tune):
    dataset = tune.dataset
    params = tune.parameters
    all_bands = sorted(tune.bands, key=lambda band: band["index"])
    used = selected_bands(tune)
    band_stats = {band.index: band for band in dataset.bands.all()}

    train_transform = []
    crop = params["crop_size"]
    if dataset.chip_height and crop < min(dataset.chip_height, dataset.chip_width):
        train_transform.append(A.RandomCrop(height=crop, width=crop))
    if params.get("flip", True):
        train_transform += [A.HorizontalFlip(p=0.5), A.VerticalFlip(p=0.5)]
    train_transform.append(ToTensorV2())

    common = {
        "batch_size": params["batch_size"],
        "num_workers": params["num_workers"],
        "img_grep": "*.tif",
        "label_grep": "*.tif",
        "means": [band_stats[band["index"]].mean for band in used],
        "stds": [band_stats[band["index"]].std or 1.0 for band in used],
        "train_transform": train_transform,
        "val_transform": [ToTensorV2()],
        "test_transform": [ToTensorV2()],
        # Chip ids are exact file stems: a substring match would pair "a_1"
        # with "a_10".
        "allow_substring_split_file": False,
        "ignore_split_file_extensions": True,
        # Onboarding already replaced nodata with each band's mean; these
        # catch anything left so that no NaN reaches the loss.
        "no_data_replace": 0.0,
        "no_label_replace": -1,
        "dataset_bands": [band["index"] for band in all_bands],
        "output_bands": [band["index"] for band in used],
        "drop_last": True,
        "check_stackability": False,
    }
    for split in ("train", "val", "test"):
        common[f"{split}_data_root"] = str(dataset.images_dir)
        common[f"{split}_label_data_root"] = str(dataset.labels_dir)
        common[f"{split}_split"] = str(dataset.split_file(split))

    if tune.template.task_type == Template.TaskType.REGRESSION:
        return GenericNonGeoPixelwiseRegressionDataModule(**common)
    return GenericNonGeoSegmentationDataModule(
        num_classes=dataset.label_categories.count(), **common
    )


def build_task(tune: Tune, pretrained: bool = False, weights_path: str = ""):
    params = tune.parameters
    model_args = _model_args(tune, pretrained, weights_path)
    scheduler, scheduler_hparams = _scheduler(params)
    common = {
        "model_factory": "EncoderDecoderFactory",
        "model_args": model_args,
        "loss": params["loss"],
        "lr": params["lr"],
        "optimizer": params["optimizer"],
        "optimizer_hparams": {"weight_decay": params["weight_decay"]},
        "scheduler": scheduler,
        "scheduler_hparams": scheduler_hparams,
        "freeze_backbone": params["freeze_backbone"],
    }
    if tune.template.task_type == Template.TaskType.REGRESSION:
        return PixelwiseRegressionTask(ignore_index=-1, plot_on_val=False, **common)

    categories = list(tune.dataset.label_categories.order_by("value"))
    return SemanticSegmentationTask(
        # Without an ignore index, CrossEntropyLoss would treat the -1 of
        # no-data pixels as a class index and fail.
        ignore_index=-1,
        class_names=[category.name for category in categories],
        class_weights=[category.weight for category in categories],
        plot_on_val=False,
        **common,
    )


def _model_args(tune: Tune, pretrained: bool, weights_path: str) -> dict[str, Any]:
    backbone = tune.backbone
    params = tune.parameters
    band_count = len(selected_bands(tune))
    args: dict[str, Any] = {
        "backbone": backbone.registry_name,
        "backbone_pretrained": pretrained,
        "decoder": params["decoder"],
    }
    if tune.template.task_type == Template.TaskType.SEGMENTATION:
        args["num_classes"] = tune.dataset.label_categories.count()

    if backbone.family in UNET_CHANNELS:
        args["backbone_in_chans"] = band_count
        args["backbone_features_only"] = True
        if params["decoder"] == "UNetDecoder":
            args["decoder_channels"] = UNET_CHANNELS[backbone.family]
        else:
            args["decoder_channels"] = 256
        return args

    # Vision transformers: tokens of a few layers reshaped into a feature
    # pyramid for the decoder.
    args["backbone_bands"] = [band["name"] for band in selected_bands(tune)]
    if weights_path:
        args["backbone_ckpt_path"] = weights_path
    args["necks"] = [
        {"name": "SelectIndices", "indices": _layer_indices(backbone.registry_name)},
        {"name": "ReshapeTokensToImage"},
        {"name": "LearnedInterpolateToPyramidal"},
    ]
    if params["decoder"] == "UNetDecoder":
        args["decoder_channels"] = [512, 256, 128, 64]
    elif params["decoder"] == "UperNetDecoder":
        args["decoder_channels"] = 256
        args["decoder_scale_modules"] = True
    else:
        args["decoder_channels"] = 256
    return args


def _layer_indices(registry_name: str) -> list[int]:
    if "600" in registry_name:
        return VIT_LAYER_INDICES[32]
    if "300" in registry_name or "large" in registry_name:
        return VIT_LAYER_INDICES[24]
    return VIT_LAYER_INDICES[12]


def _scheduler(params: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    name = params.get("scheduler", "none")
    if name == "ReduceLROnPlateau":
        return name, {"patience": 5, "factor": 0.5}
    if name == "CosineAnnealingLR":
        return name, {"T_max": params["max_epochs"]}
    return None, {}

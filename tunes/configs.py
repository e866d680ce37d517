"""A tune as a TerraTorch config: the one description the worker, the API and
the export all read.

A config is what ``terratorch fit --config`` takes: ``seed_everything``,
``trainer``, ``data`` and ``model``, the last two as ``class_path`` and
``init_args``. A template tune's config is rendered from its template,
backbone, dataset, bands and parameters; a custom tune's config is the one a
person gave, checked by ``check_custom`` and completed with the studio's data
paths and weights. Nothing here imports TerraTorch, so the web server can
render and check configs; ``tunes.factory`` instantiates them.
"""

import copy
import math
from typing import Any

from datasets.models import Dataset

from . import bands
from .models import Backbone, Template, Tune
from .weights import Weights

SEGMENTATION_TASK = "terratorch.tasks.SemanticSegmentationTask"
REGRESSION_TASK = "terratorch.tasks.PixelwiseRegressionTask"
SEGMENTATION_DATA = "terratorch.datamodules.GenericNonGeoSegmentationDataModule"
REGRESSION_DATA = "terratorch.datamodules.GenericNonGeoPixelwiseRegressionDataModule"
TASK_CLASSES = {
    Template.TaskType.SEGMENTATION: (SEGMENTATION_TASK, SEGMENTATION_DATA),
    Template.TaskType.REGRESSION: (REGRESSION_TASK, REGRESSION_DATA),
}

CNN_FAMILIES = {"resnet", "convnext"}
# ResNets give five feature maps (strides 2 to 32), ConvNeXts four (4 to 32);
# a U-Net decoder needs one channel count per map.
UNET_CHANNELS = {
    "resnet": [256, 128, 64, 32, 16],
    "convnext": [512, 256, 128, 64],
}
# The vision transformers' depth, as TerraTorch builds them.
VIT_DEPTH = {
    "prithvi_eo_v1_100": 12,
    "prithvi_eo_v2_300": 24,
    "prithvi_eo_v2_600": 32,
    "prithvi_eo_v2_600_tl": 32,
    "terramind_v1_base": 12,
    "terramind_v1_large": 24,
    "clay_v1_base": 12,
}
# Clay's grid is fixed when it is built, in patches of this many pixels.
CLAY_PATCH_SIZE = 8
# The decoder channels that fit a pyramid of four feature maps.
VIT_DECODER_CHANNELS: dict[str, Any] = {
    "UperNetDecoder": 256,
    "UNetDecoder": [512, 256, 128, 64],
    "FCNDecoder": 256,
}

# The trainer settings a config may carry; the studio sets where checkpoints
# and logs go, and what watches the run.
TRAINER_KEYS = {
    "accelerator",
    "accumulate_grad_batches",
    "benchmark",
    "check_val_every_n_epoch",
    "deterministic",
    "devices",
    "gradient_clip_algorithm",
    "gradient_clip_val",
    "limit_test_batches",
    "limit_train_batches",
    "limit_val_batches",
    "log_every_n_steps",
    "max_epochs",
    "max_steps",
    "min_epochs",
    "num_sanity_val_steps",
    "precision",
    "val_check_interval",
    "callbacks",
}
# Trainer settings the studio makes itself: dropped from a config it is given,
# so that an exported config goes back in as it is.
STUDIO_TRAINER_KEYS = {
    "default_root_dir",
    "enable_checkpointing",
    "enable_model_summary",
    "enable_progress_bar",
    "logger",
}
# Classes a config may name, by the module they come from. Anything else in a
# config given through the API would run arbitrary code on the worker.
ALLOWED_MODULES = (
    "terratorch.tasks",
    "terratorch.datamodules",
    "albumentations",
    "lightning.pytorch.callbacks",
)
ALLOWED_CALLBACKS = {"EarlyStopping", "LearningRateMonitor", "ModelCheckpoint"}
# Keys whose value is a path on the worker's machine: the studio fills in the
# dataset's; a person never points the worker at a file.
DATA_PATH_KEYS = {
    f"{split}_{kind}"
    for split in ("train", "val", "test")
    for kind in ("data_root", "label_data_root", "split")
}
FORBIDDEN_DATA_KEYS = {"predict_data_root", "tortilla_file"}
# backbone_pretrained may be given: the studio sets it either way.
FORBIDDEN_MODEL_ARGS = {
    "backbone_ckpt_path",
    "backbone_pretrained_cfg_overlay",
    "backbone_checkpoint_path",
    "backbone_cache_dir",
    "peft_config",
}
# Task arguments that would load code or write files named in the config.
FORBIDDEN_TASK_ARGS = {
    "model",
    "custom_loss",
    "custom_loss_kwargs",
    "path_to_record_metrics",
}
TOP_LEVEL_KEYS = {
    "seed_everything",
    "trainer",
    "data",
    "model",
    "optimizer",
    "lr_scheduler",
}


class ConfigError(ValueError):
    """A custom config the studio cannot train, with every reason."""

    def __init__(self, messages: list[str]):
        super().__init__("; ".join(messages))
        self.messages = messages


def render(tune: Tune, weights: Weights) -> dict[str, Any]:
    """The complete TerraTorch config that trains ``tune``."""
    if tune.custom_config:
        return complete_custom(tune.custom_config, tune, weights)
    params = tune.parameters
    return {
        "seed_everything": params["seed"],
        "trainer": trainer_config(params),
        "data": datamodule_config(tune),
        "model": task_config(tune, weights),
    }


def trainer_config(params: dict[str, Any]) -> dict[str, Any]:
    callbacks = [
        {
            "class_path": "lightning.pytorch.callbacks.ModelCheckpoint",
            "init_args": {"monitor": "val/loss", "mode": "min", "save_top_k": 1},
        }
    ]
    if params["early_stopping_patience"]:
        callbacks.append(
            {
                "class_path": "lightning.pytorch.callbacks.EarlyStopping",
                "init_args": {
                    "monitor": "val/loss",
                    "patience": params["early_stopping_patience"],
                },
            }
        )
    return {
        "accelerator": "auto",
        "devices": 1,
        "max_epochs": params["max_epochs"],
        "precision": params["precision"],
        "log_every_n_steps": 1,
        "num_sanity_val_steps": 0,
        "callbacks": callbacks,
    }


def datamodule_config(tune: Tune) -> dict[str, Any]:
    dataset = tune.dataset
    params = tune.parameters
    all_bands = sorted(tune.bands, key=lambda band: band["index"])
    used = [band for band in all_bands if band.get("use", True)]
    statistics = {band.index: band for band in dataset.bands.all()}

    # FIXME: crops and flips are not repeatable: albumentations 2 draws from
    # its own generator, which TerraTorch's Compose seeds from nothing; the
    # seed parameter fixes the initial weights and the batch order only.
    train_transform = []
    crop = train_crop(tune)
    if crop and tune.template.task_type == Template.TaskType.REGRESSION:
        # Regression labels are often sparse: a crop of no-data pixels only
        # trains nothing, and TerraTorch's R2 metric fails on an epoch of them.
        # This crop centres on a labelled pixel where the chip has one.
        train_transform.append(
            _transform(
                "CropNonEmptyMaskIfExists", height=crop, width=crop, ignore_values=[-1]
            )
        )
    elif crop:
        train_transform.append(_transform("RandomCrop", height=crop, width=crop))
    if params.get("flip", True):
        train_transform += [
            _transform("HorizontalFlip", p=0.5),
            _transform("VerticalFlip", p=0.5),
        ]
    train_transform.append(_to_tensor())

    init_args: dict[str, Any] = {
        "batch_size": params["batch_size"],
        "num_workers": params["num_workers"],
        "img_grep": "*.tif",
        "label_grep": "*.tif",
        "means": [_statistic(band, statistics, "mean") for band in used],
        "stds": [_statistic(band, statistics, "std") or 1.0 for band in used],
        "train_transform": train_transform,
        # Whole chips of any size: TerraTorch's pixel-wise model pads its input
        # to whole patches (reflecting the edges) and crops the prediction
        # back, so no edge pixel is lost and none needs padding here.
        "val_transform": [_to_tensor()],
        "test_transform": [_to_tensor()],
        # Chip ids are exact file stems: a substring match would pair "a_1"
        # with "a_10".
        "allow_substring_split_file": False,
        "ignore_split_file_extensions": True,
        # Onboarding already replaced nodata with each band's mean; these
        # catch anything left so that no NaN reaches the loss.
        "no_data_replace": 0.0,
        "no_label_replace": -1,
        # Positions in the image file; the backbone learns the bands' names
        # from the model arguments.
        "dataset_bands": [band["index"] for band in all_bands],
        "output_bands": [band["index"] for band in used],
        "drop_last": True,
        "check_stackability": False,
        **data_paths(dataset),
    }
    task_class, data_class = TASK_CLASSES[tune.template.task_type]
    if task_class == SEGMENTATION_TASK:
        init_args["num_classes"] = dataset.label_categories.count()
    return {"class_path": data_class, "init_args": init_args}


def data_paths(dataset: Dataset) -> dict[str, str]:
    paths = {}
    for split in ("train", "val", "test"):
        paths[f"{split}_data_root"] = str(dataset.images_dir)
        paths[f"{split}_label_data_root"] = str(dataset.labels_dir)
        paths[f"{split}_split"] = str(dataset.split_file(split))
    return paths


def task_config(tune: Tune, weights: Weights) -> dict[str, Any]:
    params = tune.parameters
    scheduler, scheduler_hparams = scheduler_settings(params)
    init_args: dict[str, Any] = {
        "model_factory": "EncoderDecoderFactory",
        "model_args": model_args(tune, weights),
        "loss": params["loss"],
        "lr": params["lr"],
        "optimizer": params["optimizer"],
        "optimizer_hparams": {"weight_decay": params["weight_decay"]},
        "scheduler": scheduler,
        "scheduler_hparams": scheduler_hparams,
        "freeze_backbone": params["freeze_backbone"],
        # Prepared labels mark no data with -1; without an ignore index,
        # CrossEntropyLoss would take it for a class and fail.
        "ignore_index": -1,
        "plot_on_val": False,
    }
    task_class, _ = TASK_CLASSES[tune.template.task_type]
    if task_class == SEGMENTATION_TASK:
        categories = list(tune.dataset.label_categories.order_by("value"))
        init_args["class_names"] = [category.name for category in categories]
        init_args["class_weights"] = [category.weight for category in categories]
    if tune.backbone.family == "clay":
        init_args.update(_clay_tiling(train_crop(tune)))
    return {"class_path": task_class, "init_args": init_args}


def model_args(tune: Tune, weights: Weights) -> dict[str, Any]:
    backbone = tune.backbone
    used = [band for band in tune.bands if band.get("use", True)]
    natives = bands.native_names(backbone, tune.bands)
    args: dict[str, Any] = {"backbone": backbone.registry_name}
    backbone_kwargs = backbone_args(
        backbone, natives, len(used), weights, img_size=_clay_img_size(tune)
    )
    args.update({f"backbone_{key}": value for key, value in backbone_kwargs.items()})
    args.update(_decoder_args(backbone, tune.parameters["decoder"]))
    if tune.template.task_type == Template.TaskType.SEGMENTATION:
        args["num_classes"] = tune.dataset.label_categories.count()
    return args


def backbone_args(
    backbone: Backbone,
    natives: list[str],
    band_count: int,
    weights: Weights,
    img_size: int | None = None,
) -> dict[str, Any]:
    """What TerraTorch's registry needs to build ``backbone`` on these bands."""
    args = weight_args(backbone, weights)
    family = backbone.family
    if family in CNN_FAMILIES:
        args["in_chans"] = band_count
        args["features_only"] = True
    elif family == "terramind":
        # One modality: its patch embedding takes these bands, by name.
        modality = bands.modality(natives[0])
        args["modalities"] = [modality]
        args["bands"] = {modality: [bands.band_of(native) for native in natives]}
    elif family == "clay":
        args["bands"] = natives
        args["img_size"] = img_size or 256
    else:
        # Prithvi picks the patch embedding weights of each band by HLS name;
        # without names they would stay random.
        args["bands"] = natives
    return args


def weight_args(backbone: Backbone, weights: Weights) -> dict[str, Any]:
    """The backbone arguments that say where its pretrained weights come from."""
    if backbone.family in CNN_FAMILIES:
        args: dict[str, Any] = {"pretrained": weights.pretrained}
        if weights.path:
            # timm reads a local file instead of the hub.
            args["pretrained_cfg_overlay"] = {"file": weights.path}
        return args
    if backbone.family == "clay":
        # Clay's registry entry downloads when pretrained; a local file goes
        # through its own checkpoint argument instead.
        # FIXME: TerraTorch's Clay loader then freezes the encoder, whatever
        # the tune's freeze_backbone says; timm's file loader cannot read
        # Clay's checkpoint layout, so there is no other offline way in.
        args = {"pretrained": weights.pretrained and not weights.path}
    else:
        args = {"pretrained": weights.pretrained}
    if weights.path:
        args["ckpt_path"] = weights.path
    return args


def layer_indices(registry_name: str) -> list[int]:
    """Four evenly spaced layers, the last one included."""
    depth = VIT_DEPTH[registry_name]
    return [depth * quarter // 4 - 1 for quarter in range(1, 5)]


def train_crop(tune: Tune) -> int | None:
    """The side of the random training crop; None trains on whole chips."""
    dataset = tune.dataset
    crop = tune.parameters["crop_size"]
    sides = [side for side in (dataset.chip_height, dataset.chip_width) if side]
    if tune.backbone.family == "clay":
        # Clay's position grid is fixed at build time: every training chip
        # has the same square size, and larger chips are evaluated in tiles.
        return min([crop, *sides])
    if sides and crop < min(sides):
        return crop
    return None


def complete_custom(
    config: dict[str, Any], tune: Tune, weights: Weights
) -> dict[str, Any]:
    """A checked custom config with the dataset's paths and the weights filled in."""
    config = copy.deepcopy(config)
    data_args = config["data"].setdefault("init_args", {})
    data_args.update(data_paths(tune.dataset))
    if "means" not in data_args or "stds" not in data_args:
        output_bands = data_args.get("output_bands")
        statistics = [
            band
            for band in tune.dataset.bands.all()
            if output_bands is None or band.index in output_bands
        ]
        data_args.setdefault("means", [band.mean for band in statistics])
        data_args.setdefault("stds", [band.std or 1.0 for band in statistics])

    # Only the weights are the studio's to decide; the bands and the rest are
    # the person's.
    model_args = config["model"]["init_args"]["model_args"]
    for key, value in weight_args(tune.backbone, weights).items():
        model_args[f"backbone_{key}"] = value
    _move_optimizer_into_task(config)
    return config


def check_custom(
    config: Any, dataset: Dataset
) -> tuple[dict[str, Any], Backbone, Template]:
    """The config, its backbone and the template it is filed under; or ConfigError.

    The checks keep the config within what the worker trains safely: TerraTorch
    tasks and datamodules on the studio's own data, no file paths, and classes
    from a few known modules only.
    """
    if not isinstance(config, dict):
        raise ConfigError(["The config must be a mapping."])
    errors = []
    unknown = sorted(set(config) - TOP_LEVEL_KEYS)
    if unknown:
        errors.append(f"Unknown top-level keys: {', '.join(unknown)}.")
    for section in ("data", "model"):
        if not isinstance(config.get(section), dict):
            errors.append(f"The config needs a {section} section.")
        elif not isinstance(config[section].get("init_args") or {}, dict):
            errors.append(f"{section}.init_args must be a mapping.")
    for section in ("optimizer", "lr_scheduler"):
        if section in config and not isinstance(config[section], dict):
            errors.append(f"{section} must be a mapping with a class_path.")
    if errors:
        raise ConfigError(errors)

    task_class, data_class = TASK_CLASSES[dataset.task_type]
    if _resolve(config["model"].get("class_path", ""), "terratorch.tasks") != (
        task_class
    ):
        errors.append(
            f"model.class_path must be {task_class} for a "
            f"{dataset.get_task_type_display().lower()} dataset."
        )
    if _resolve(config["data"].get("class_path", ""), "terratorch.datamodules") != (
        data_class
    ):
        errors.append(f"data.class_path must be {data_class}.")

    data_args = config["data"].get("init_args") or {}
    forbidden = sorted(set(data_args) & FORBIDDEN_DATA_KEYS)
    if forbidden:
        errors.append(f"data.init_args may not set {', '.join(forbidden)}.")
    for key in ("means", "stds"):
        # TerraTorch reads a string here as the path of a statistics file.
        if key in data_args and not isinstance(data_args[key], list):
            errors.append(f"data.init_args.{key} must be a list of numbers.")
    for key in ("dataset_bands", "output_bands"):
        if data_args.get(key) is not None and not isinstance(data_args[key], list):
            errors.append(f"data.init_args.{key} must be a list.")
    model_init = config["model"].get("init_args") or {}
    forbidden = sorted(set(model_init) & FORBIDDEN_TASK_ARGS)
    if forbidden:
        errors.append(f"model.init_args may not set {', '.join(forbidden)}.")
    model_args = model_init.get("model_args")
    backbone = None
    if not isinstance(model_args, dict):
        errors.append("model.init_args.model_args is missing.")
    else:
        forbidden = sorted(set(model_args) & FORBIDDEN_MODEL_ARGS)
        if forbidden:
            errors.append(
                f"model_args may not set {', '.join(forbidden)}: the studio "
                "decides the backbone's weights."
            )
        backbone = Backbone.objects.filter(
            registry_name=str(model_args.get("backbone", ""))
        ).first()
        if backbone is None:
            errors.append(
                "model_args.backbone must be the TerraTorch name of a backbone "
                "in the catalog."
            )
    if model_init.get("model_factory", "EncoderDecoderFactory") != (
        "EncoderDecoderFactory"
    ):
        errors.append("model.init_args.model_factory must be EncoderDecoderFactory.")

    trainer = config.get("trainer") or {}
    if not isinstance(trainer, dict):
        errors.append("trainer must be a mapping.")
    else:
        config = {
            **config,
            "trainer": {
                key: value
                for key, value in trainer.items()
                if key not in STUDIO_TRAINER_KEYS
            },
        }
        trainer = config["trainer"]
        unknown = sorted(set(trainer) - TRAINER_KEYS)
        if unknown:
            errors.append(f"trainer may not set {', '.join(unknown)}.")
        for callback in trainer.get("callbacks") or []:
            name = str(_class_path(callback)).rpartition(".")[2]
            if name not in ALLOWED_CALLBACKS:
                errors.append(
                    f"trainer.callbacks may hold {', '.join(sorted(ALLOWED_CALLBACKS))}"
                    f" only, not {_class_path(callback)!r}."
                )
    if backbone is not None and not errors:
        errors += _band_errors(backbone, model_args, data_args, dataset)
    errors += _class_path_errors(config)
    config["data"] = {
        **config["data"],
        "init_args": {
            key: value for key, value in data_args.items() if key not in DATA_PATH_KEYS
        },
    }

    template = None
    if backbone is not None:
        template = next(
            (
                template
                for template in Template.objects.filter(task_type=dataset.task_type)
                if template.fits(backbone)
            ),
            None,
        )
        if template is None:
            errors.append(
                f"No {dataset.get_task_type_display().lower()} template fits "
                f"{backbone.name}."
            )
    if errors:
        raise ConfigError(errors)
    return config, backbone, template


def custom_bands(
    config: dict[str, Any], dataset: Dataset, backbone: Backbone
) -> list[dict[str, Any]]:
    """A custom config's bands in the form of a tune's: which it uses, mapped how."""
    data_args = config["data"].get("init_args") or {}
    # Output bands name entries of dataset_bands, whose positions are the
    # bands' indices in the image files.
    dataset_bands = data_args.get("dataset_bands")
    output_bands = data_args.get("output_bands")
    if output_bands is not None and dataset_bands:
        output_bands = [
            dataset_bands.index(band) for band in output_bands if band in dataset_bands
        ]
    given = config["model"]["init_args"]["model_args"].get("backbone_bands")
    if isinstance(given, dict) and len(given) == 1:
        modality, names = next(iter(given.items()))
        natives = [f"{modality}{bands.MODALITY_SEPARATOR}{name}" for name in names]
    else:
        natives = list(given) if isinstance(given, list) else []
    rows = []
    used = 0
    for band in dataset.bands.all():
        use = output_bands is None or band.index in output_bands
        native = ""
        if use and used < len(natives):
            native = str(natives[used])
        used += use
        rows.append(
            {
                "index": band.index,
                "use": use,
                "name": band.name,
                "scaling_factor": band.scaling_factor,
                "rgb": band.rgb,
                "native": native,
            }
        )
    return rows


def _band_errors(
    backbone: Backbone,
    model_args: dict[str, Any],
    data_args: dict[str, Any],
    dataset: Dataset,
) -> list[str]:
    """A backbone with native bands gets their names, as many as it is fed."""
    output_bands = data_args.get("output_bands") or data_args.get("dataset_bands")
    count = len(output_bands) if output_bands else dataset.bands.count()
    if not bands.needs_mapping(backbone):
        return []
    given = model_args.get("backbone_bands")
    if backbone.family == "terramind":
        if not isinstance(given, dict) or len(given) != 1:
            return [
                "model_args.backbone_bands must map one TerraMind modality to "
                'its band names, e.g. {"S2L2A": ["BLUE", "GREEN", "RED"]}.'
            ]
        modality, names = next(iter(given.items()))
        natives = [f"{modality}{bands.MODALITY_SEPARATOR}{name}" for name in names]
    else:
        if not isinstance(given, list):
            return [
                f"model_args.backbone_bands must list the {backbone.name} band "
                "of each input band, by name."
            ]
        natives = given
    errors = []
    unknown = [str(native) for native in natives if native not in backbone.native_bands]
    if unknown:
        errors.append(
            f"{', '.join(unknown)} are not bands of {backbone.name}; it knows "
            f"{', '.join(backbone.native_bands)}."
        )
    if len(natives) != count:
        errors.append(
            f"model_args.backbone_bands names {len(natives)} bands but the data "
            f"has {count}."
        )
    return errors


def _statistic(band: dict[str, Any], statistics: dict, name: str) -> float | None:
    # A tune keeps the statistics it trained with (see training.train), so a
    # dataset onboarded again later does not change how it normalises.
    if band.get(name) is not None:
        return band[name]
    return getattr(statistics[band["index"]], name)


def _transform(name: str, **init_args) -> dict[str, Any]:
    return {"class_path": f"albumentations.{name}", "init_args": init_args}


def _to_tensor() -> dict[str, Any]:
    return {"class_path": "albumentations.pytorch.ToTensorV2"}


def _decoder_args(backbone: Backbone, decoder: str) -> dict[str, Any]:
    if backbone.family in CNN_FAMILIES:
        channels = UNET_CHANNELS[backbone.family] if decoder == "UNetDecoder" else 256
        return {"decoder": decoder, "decoder_channels": channels}
    if decoder not in VIT_DECODER_CHANNELS:
        raise ValueError(f"The {decoder} decoder does not fit {backbone.name}.")
    # Tokens of four layers become a pyramid of feature maps for the decoder.
    necks = [
        {"name": "SelectIndices", "indices": layer_indices(backbone.registry_name)},
        # TerraMind has no class token in front of its image tokens.
        {
            "name": "ReshapeTokensToImage",
            "remove_cls_token": backbone.family != "terramind",
        },
        {"name": "LearnedInterpolateToPyramidal"},
    ]
    return {
        "necks": necks,
        "decoder": decoder,
        "decoder_channels": VIT_DECODER_CHANNELS[decoder],
    }


def _clay_img_size(tune: Tune) -> int | None:
    if tune.backbone.family != "clay":
        return None
    return padded_size(train_crop(tune), CLAY_PATCH_SIZE)


def padded_size(side: int, patch_size: int) -> int:
    """The side TerraTorch pads an input to: a multiple of twice the patch size."""
    return math.ceil(side / (2 * patch_size)) * 2 * patch_size


def _clay_tiling(crop: int) -> dict[str, Any]:
    # Validation and test chips are larger than Clay's fixed grid: they are
    # predicted in overlapping tiles of the training size.
    return {
        "tiled_inference_parameters": {
            "crop": crop,
            "stride": max(1, crop * 3 // 4),
            "delta": crop // 16,
            "average_patches": True,
        },
        "tiled_inference_on_validation": True,
        "tiled_inference_on_testing": True,
    }


def scheduler_settings(params: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    name = params.get("scheduler", "none")
    if name == "ReduceLROnPlateau":
        return name, {"patience": 5, "factor": 0.5}
    if name == "CosineAnnealingLR":
        return name, {"T_max": params["max_epochs"]}
    return None, {}


def _move_optimizer_into_task(config: dict[str, Any]) -> None:
    """Turn LightningCLI's optimizer and lr_scheduler sections into task arguments.

    TerraTorch tasks take both as names and keyword arguments; the worker
    builds the task alone, without LightningCLI.
    """
    init_args = config["model"]["init_args"]
    optimizer = config.pop("optimizer", None)
    if optimizer:
        hparams = dict(optimizer.get("init_args") or {})
        if "lr" in hparams:
            init_args["lr"] = hparams.pop("lr")
        init_args["optimizer"] = _class_path(optimizer).rpartition(".")[2]
        init_args["optimizer_hparams"] = hparams
    scheduler = config.pop("lr_scheduler", None)
    if scheduler:
        hparams = dict(scheduler.get("init_args") or {})
        # The task monitors its validation loss itself.
        hparams.pop("monitor", None)
        init_args["scheduler"] = _class_path(scheduler).rpartition(".")[2]
        init_args["scheduler_hparams"] = hparams


def _class_path(spec: Any) -> str:
    return spec.get("class_path", "") if isinstance(spec, dict) else str(spec)


def _resolve(class_path: str, default_module: str) -> str:
    if "." not in class_path:
        return f"{default_module}.{class_path}"
    return class_path


def _class_path_errors(config: dict[str, Any]) -> list[str]:
    errors = []
    for path, value in _walk(config):
        if path in ("optimizer", "lr_scheduler"):
            allowed = ("torch.optim",)
        else:
            allowed = ALLOWED_MODULES
        class_path = str(value)
        if "." in class_path and not class_path.startswith(allowed):
            errors.append(f"{path}: class {class_path} is not allowed.")
    return errors


def _walk(value: Any, path: str = ""):
    """Every class_path in a config, with where it is."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "class_path":
                yield path, item
            else:
                yield from _walk(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for position, item in enumerate(value):
            yield from _walk(item, f"{path}[{position}]")

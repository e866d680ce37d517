"""Builds the TerraTorch objects of a tune from its config (``tunes.configs``).

The worker, the weights check and the checkpoint loader all build through here,
from the same config that a tune's export holds. Import this module only where
training happens: TerraTorch takes seconds to import.
"""

import importlib
from typing import Any

from terratorch.registry import BACKBONE_REGISTRY

from . import bands, configs
from .models import Backbone, Tune
from .weights import Weights

# Where a class named without its module is looked up, in order.
SHORT_NAME_MODULES = [
    "terratorch.tasks",
    "terratorch.datamodules",
    "albumentations",
    "albumentations.pytorch",
    "lightning.pytorch.callbacks",
]


def build_task(tune: Tune, weights: Weights):
    return instantiate(configs.render(tune, weights)["model"])


def build_backbone(backbone: Backbone, weights: Weights):
    """The backbone alone, on all its native bands, as a tune would build it."""
    natives = list(backbone.native_bands)
    if backbone.family == "terramind":
        first = bands.modality(natives[0])
        natives = [native for native in natives if bands.modality(native) == first]
    img_size = None
    if backbone.family == "clay":
        # Any grid does: Clay's weights do not depend on its size.
        img_size = configs.padded_size(224, configs.CLAY_PATCH_SIZE)
    kwargs = configs.backbone_args(
        backbone, natives, len(natives) or 3, weights, img_size=img_size
    )
    return BACKBONE_REGISTRY.build(backbone.registry_name, **kwargs)


def instantiate(spec: dict[str, Any]):
    """An object from a config's ``class_path`` and ``init_args``, recursively.

    Only classes of ``configs.ALLOWED_MODULES`` are built: configs come from
    people too.
    """
    cls = _resolve(spec["class_path"])
    init_args = {
        key: _instantiate_nested(value)
        for key, value in (spec.get("init_args") or {}).items()
    }
    return cls(**init_args)


def _instantiate_nested(value: Any) -> Any:
    if isinstance(value, dict) and "class_path" in value:
        return instantiate(value)
    if isinstance(value, list):
        return [_instantiate_nested(item) for item in value]
    return value


def _resolve(class_path: str) -> type:
    module_name, _, name = class_path.rpartition(".")
    candidates = [module_name] if module_name else SHORT_NAME_MODULES
    for candidate in candidates:
        if not candidate.startswith(configs.ALLOWED_MODULES):
            raise ValueError(f"The class {class_path} is not allowed in a config.")
        module = importlib.import_module(candidate)
        if hasattr(module, name):
            return getattr(module, name)
    raise ValueError(f"No class {class_path} in {', '.join(candidates)}.")

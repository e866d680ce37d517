"""Where a backbone's pretrained weights come from, and whether a file fits it.

In order: a file an operator registered; the backbone's file in the local
Hugging Face cache; the hub itself, only where the operator allowed
downloads; else random initialisation. Every tune records which.
"""

import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from .models import Backbone

logger = logging.getLogger(__name__)

LOCAL = "local"
CACHE = "cache"
HUB = "hub"
NONE = "none"


class WeightsError(Exception):
    """A weights file that cannot serve its backbone, and why."""


@dataclass(frozen=True)
class Weights:
    kind: str
    path: str = ""
    detail: str = ""

    @property
    def pretrained(self) -> bool:
        return self.kind != NONE

    @property
    def source(self) -> str:
        """What the model page shows."""
        if self.kind == LOCAL:
            return f"local file {self.path}"
        if self.kind == CACHE:
            return f"Hugging Face cache {self.path}"
        if self.kind == HUB:
            return f"Hugging Face hub {self.detail}"
        return f"none: random initialisation ({self.detail})"


def recorded(source: str) -> Weights | None:
    """The weights a tune recorded as its ``weights_source``; None if it has not."""
    for kind, prefix in [
        (LOCAL, "local file "),
        (CACHE, "Hugging Face cache "),
    ]:
        if source.startswith(prefix):
            return Weights(kind, source.removeprefix(prefix))
    if source.startswith("Hugging Face hub "):
        return Weights(HUB, detail=source.removeprefix("Hugging Face hub "))
    if source.startswith("none"):
        return Weights(NONE, detail="as the tune started")
    return None


# Rebuilding a tuned model: its checkpoint holds every weight.
FOR_CHECKPOINT = Weights(NONE, detail="the tune's checkpoint replaces them")


def decide(backbone: Backbone) -> Weights:
    """The weights a new tune of ``backbone`` starts from. Never reaches a network."""
    if backbone.weights_path:
        if not Path(backbone.weights_path).is_file():
            raise WeightsError(
                f"The weights file registered for {backbone.name}, "
                f"{backbone.weights_path}, is missing: register it again, or "
                "clear it to train from random initialisation."
            )
        if backbone.weights_checked and backbone.weights_tensors_matched == 0:
            raise WeightsError(
                f"The weights file registered for {backbone.name} did not load: "
                f"{backbone.weights_check_message}"
            )
        return Weights(LOCAL, backbone.weights_path)
    cached = cached_file(backbone)
    if cached:
        return Weights(CACHE, cached)
    if settings.WEIGHTS_FROM_HUB and backbone.hub_repo_id and not _hub_offline():
        return Weights(HUB, detail=f"{backbone.hub_repo_id}/{backbone.hub_filename}")
    return Weights(
        NONE, detail="no local weights registered and none in the Hugging Face cache"
    )


def cached_file(backbone: Backbone) -> str:
    """The backbone's hub file if the local cache holds it; "" otherwise."""
    if not backbone.hub_repo_id or not backbone.hub_filename:
        return ""
    from huggingface_hub import try_to_load_from_cache

    found = try_to_load_from_cache(
        backbone.hub_repo_id,
        backbone.hub_filename,
        cache_dir=settings.HUB_CACHE_DIR or None,
    )
    return found if isinstance(found, str) else ""


@dataclass(frozen=True)
class Check:
    matched: int
    total: int


def check_file(backbone: Backbone, path: str) -> Check:
    """Build the backbone from the file as a tune would; count the weights it filled.

    A weight counts when the built backbone holds exactly a tensor of the file.
    Raises WeightsError when the file cannot be read or fills nothing.
    """
    file = Path(path)
    if not file.is_absolute():
        raise WeightsError(f"{path} is not an absolute path.")
    if not file.is_file():
        raise WeightsError(f"{path} is not a file.")

    from . import factory

    try:
        file_hashes = {_digest(tensor) for tensor in _tensors(_read(file))}
    except Exception as exc:
        raise WeightsError(f"{path} is not a weights file: {exc}") from exc
    if not file_hashes:
        raise WeightsError(f"{path} holds no tensors.")
    try:
        model = factory.build_backbone(backbone, Weights(LOCAL, str(file)))
    except Exception as exc:
        raise WeightsError(
            f"{path} does not load into {backbone.name}: {type(exc).__name__}: {exc}"
        ) from exc

    # Only weights with varied values count: a freshly built norm layer is all
    # ones, like many a file's, and proves nothing.
    tensors = [
        parameter.detach()
        for parameter in model.parameters()
        if parameter.numel() > 1 and parameter.detach().float().std() > 0
    ]
    matched = sum(_digest(tensor) in file_hashes for tensor in tensors)
    if not matched:
        raise WeightsError(f"None of the tensors in {path} fits {backbone.name}.")
    return Check(matched=matched, total=len(tensors))


def register(backbone: Backbone, path: str) -> Check:
    """Check the file, then make it the backbone's weights."""
    check = check_file(backbone, path)
    backbone.weights_path = str(Path(path))
    backbone.weights_tensors_matched = check.matched
    backbone.weights_tensors_total = check.total
    backbone.weights_checked = timezone.now()
    backbone.weights_check_message = (
        f"{check.matched} of {check.total} weight tensors loaded from the file."
    )
    backbone.save()
    logger.info(
        "Weights %s registered for %s: %d of %d tensors",
        path,
        backbone.name,
        check.matched,
        check.total,
    )
    return check


def check_registered(backbone_id: int) -> None:
    """The worker job the admin queues: check the file it saved, record the result."""
    backbone = Backbone.objects.get(pk=backbone_id)
    path = backbone.weights_path
    if not path:
        return
    try:
        check = check_file(backbone, path)
    except WeightsError as exc:
        logger.warning("Weights %s of %s do not load: %s", path, backbone.name, exc)
        fields: dict[str, Any] = {
            "weights_tensors_matched": 0,
            "weights_tensors_total": None,
            "weights_check_message": str(exc),
        }
    else:
        fields = {
            "weights_tensors_matched": check.matched,
            "weights_tensors_total": check.total,
            "weights_check_message": (
                f"{check.matched} of {check.total} weight tensors loaded from the file."
            ),
        }
    # Only if the path is still the one checked: the operator may have
    # changed it meanwhile.
    Backbone.objects.filter(pk=backbone_id, weights_path=path).update(
        weights_checked=timezone.now(), **fields
    )


def _hub_offline() -> bool:
    from huggingface_hub import constants

    return bool(constants.HF_HUB_OFFLINE)


def _read(file: Path) -> Any:
    import torch

    if file.suffix == ".safetensors":
        from safetensors.torch import load_file

        return load_file(str(file))
    return torch.load(file, map_location="cpu", weights_only=True)


def _tensors(value: Any):
    """Every tensor in a checkpoint, however nested."""
    import torch

    if isinstance(value, torch.Tensor):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _tensors(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _tensors(item)


def _digest(tensor) -> tuple:
    data = tensor.detach().float().contiguous().cpu().numpy().tobytes()
    return tuple(tensor.shape), hashlib.blake2b(data, digest_size=16).digest()

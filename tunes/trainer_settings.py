"""The Trainer arguments a worker's machine decides, not the tune.

Which accelerator, how many of its devices and how a tune is spread over them
depend on the machine the worker runs on, so they come from the settings
(STUDIO_TRAINER_ACCELERATOR, _DEVICES, _STRATEGY and _PRECISION), and they win
over whatever a tune's config says.

A tune trained on several devices runs one process per device. Lightning's own
"ddp" starts them by running the command line again, which inside a worker
would start another `manage.py qcluster`; here they are forked from the worker
instead, with no database connection open across the fork.
"""

from typing import Any

from django.conf import settings
from django.db import connections
from lightning.pytorch.strategies import DDPStrategy
from lightning.pytorch.strategies.launchers.multiprocessing import (
    _MultiProcessingLauncher,
)

# Strategies that mean "one process per device", all forked from the worker.
FORKED_DDP_NAMES = {"ddp", "ddp_fork"}


def trainer_kwargs() -> dict[str, Any]:
    """accelerator, devices, strategy and maybe precision for pl.Trainer."""
    devices = parse_devices(settings.TRAINER_DEVICES)
    kwargs: dict[str, Any] = {
        "accelerator": settings.TRAINER_ACCELERATOR,
        "devices": devices,
        "strategy": _strategy(settings.TRAINER_STRATEGY, devices),
    }
    if settings.TRAINER_PRECISION:
        kwargs["precision"] = settings.TRAINER_PRECISION
    return kwargs


def parse_devices(value: str) -> int | str | list[int]:
    """Two devices for "2", devices 0 and 2 for "0,2", all of them for "auto"."""
    value = value.strip()
    if "," in value:
        return [int(part) for part in value.split(",") if part.strip()]
    try:
        return int(value)
    except ValueError:
        return value


def _strategy(name: str, devices: int | str | list[int]) -> Any:
    several = devices not in (1, "1") and not (
        isinstance(devices, list) and len(devices) == 1
    )
    if name in FORKED_DDP_NAMES or (name == "auto" and several):
        return WorkerDDPStrategy()
    return name


class WorkerDDPStrategy(DDPStrategy):
    """Distributed data parallel, its processes forked from the worker."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(start_method="fork", **kwargs)

    def _configure_launcher(self) -> None:
        self._launcher = _ForkLauncher(self, start_method="fork")


class _ForkLauncher(_MultiProcessingLauncher):
    def launch(self, function, *args: Any, trainer=None, **kwargs: Any) -> Any:
        # A forked process would share the worker's connections and garble
        # them; each process opens its own when it first writes.
        connections.close_all()
        return super().launch(function, *args, trainer=trainer, **kwargs)

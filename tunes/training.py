"""Training a tune with Lightning: the part of the job that needs TerraTorch."""

import logging
import math
import time
from pathlib import Path
from typing import Any

import lightning.pytorch as pl
from lightning.pytorch.callbacks import Callback, ModelCheckpoint
from lightning.pytorch.loggers.logger import Logger

from datasets.models import Chip, Dataset

from . import configs, factory
from .models import Tune, TuneMetric
from .trainer_settings import trainer_kwargs
from .weights import decide

logger = logging.getLogger(__name__)

PROGRESS_INTERVAL_SECONDS = 1.0


def train(tune: Tune) -> None:
    """Train a tune from its config, keep the best checkpoint, test it."""
    _check_dataset(tune)
    _keep_statistics(tune)
    weights = decide(tune.backbone)
    config = configs.render(tune, weights)
    trainer_settings = config.get("trainer") or {}
    pl.seed_everything(config.get("seed_everything", 0), workers=True)
    Tune.objects.filter(pk=tune.pk).update(weights_source=weights.source)
    logger.info("Tune %s backbone weights: %s", tune.pk, weights.source)

    datamodule = factory.instantiate(config["data"])
    task = factory.instantiate(config["model"])
    _check_pairing(datamodule)

    checkpoint = ModelCheckpoint(
        dirpath=tune.checkpoint_path.parent,
        filename=tune.checkpoint_path.stem,
        monitor="val/loss",
        mode="min",
        save_top_k=1,
        enable_version_counter=False,
    )
    callbacks = [
        checkpoint,
        ProgressCallback(tune.pk, tune.started),
        *_config_callbacks(trainer_settings),
    ]
    trainer = pl.Trainer(
        **_trainer_arguments(trainer_settings),
        callbacks=callbacks,
        logger=MetricsLogger(tune.pk),
        default_root_dir=str(tune.folder),
        enable_progress_bar=False,
        enable_model_summary=True,
    )
    Tune.objects.filter(pk=tune.pk).update(max_epochs=trainer.max_epochs)
    trainer.fit(task, datamodule=datamodule)
    if not tune.checkpoint_path.exists():
        raise RuntimeError("Training ended without a checkpoint")
    trainer.test(task, datamodule=datamodule, ckpt_path=str(tune.checkpoint_path))


def _trainer_arguments(settings: dict[str, Any]) -> dict[str, Any]:
    arguments = {
        "log_every_n_steps": 1,
        "num_sanity_val_steps": 0,
    }
    arguments.update(
        (key, value)
        for key, value in settings.items()
        if key in configs.TRAINER_KEYS and key != "callbacks"
    )
    # The worker's machine decides the accelerator and devices, not the tune.
    arguments.update(trainer_kwargs())
    return arguments


def _config_callbacks(settings: dict[str, Any]) -> list[Callback]:
    """The config's callbacks, but for checkpoints: the studio keeps its own."""
    callbacks = []
    for spec in settings.get("callbacks") or []:
        if spec["class_path"].rpartition(".")[2] == "ModelCheckpoint":
            continue
        callbacks.append(factory.instantiate(spec))
    return callbacks


def _check_dataset(tune: Tune) -> None:
    dataset = tune.dataset
    if dataset.status != Dataset.Status.READY:
        raise RuntimeError(
            f"Dataset {dataset.name!r} is {dataset.status}, not ready: "
            f"{dataset.status_message or 'onboard it first'}"
        )
    counts = {split: dataset.chips.filter(split=split).count() for split in Chip.Split}
    logger.info(
        "Dataset %s: %d train, %d val, %d test chips; %d excluded",
        dataset.name,
        counts[Chip.Split.TRAIN],
        counts[Chip.Split.VAL],
        counts[Chip.Split.TEST],
        counts[Chip.Split.EXCLUDED],
    )
    for chip in dataset.chips.exclude(warning=""):
        logger.warning("Chip %s (%s): %s", chip.chip_id, chip.split, chip.warning)


def _keep_statistics(tune: Tune) -> None:
    """Copy the dataset's band statistics into the tune, as it trains with them.

    Inference and the exported config normalise with these, even after the
    dataset is onboarded again.
    """
    statistics = {band.index: band for band in tune.dataset.bands.all()}
    for band in tune.bands:
        row = statistics.get(band["index"])
        if row is not None:
            band["mean"], band["std"] = row.mean, row.std
    Tune.objects.filter(pk=tune.pk).update(bands=tune.bands)


def _check_pairing(datamodule) -> None:
    """Fail early when an image and a label would be paired by position only.

    TerraTorch pairs images and labels by sorted file order, silently.
    """
    for stage in ("fit", "test"):
        datamodule.setup(stage)
    for split in ("train", "val", "test"):
        data = getattr(datamodule, f"{split}_dataset")
        images = [Path(path).stem for path in data.image_files]
        labels = [Path(path).stem for path in data.segmentation_mask_files]
        if images != labels:
            raise RuntimeError(
                f"The {split} images and labels do not pair one to one: "
                f"{sorted(set(images) ^ set(labels))[:5]}"
            )
        if not images:
            raise RuntimeError(f"The {split} split has no chips")


def _metric_rows(tune_id: int, metrics: dict[str, float], epoch: int):
    for key, value in metrics.items():
        split, _, name = key.partition("/")
        if split not in {"train", "val", "test"} or not name:
            continue
        if not math.isfinite(float(value)):
            # R2 of a constant label, or a loss gone NaN: nothing to chart,
            # and no reason to fail the tune over its bookkeeping.
            logger.warning("Tune %s %s at epoch %d is %s", tune_id, key, epoch, value)
            continue
        yield TuneMetric(
            tune_id=tune_id, epoch=epoch, split=split, name=name, value=float(value)
        )


class MetricsLogger(Logger):
    """A Lightning logger that stores epoch metrics as TuneMetric rows."""

    def __init__(self, tune_id: int) -> None:
        super().__init__()
        self.tune_id = tune_id

    @property
    def name(self) -> str:
        return "studio"

    @property
    def version(self) -> int:
        return self.tune_id

    def log_hyperparams(self, params, *args, **kwargs) -> None:
        pass  # the tune row already holds its parameters

    def log_metrics(self, metrics: dict[str, float], step: int | None = None) -> None:
        # Step-level values are noise on an epoch chart; only epoch values and
        # the test results are kept.
        if "epoch" not in metrics and not any(k.startswith("test/") for k in metrics):
            return
        epoch = int(metrics.get("epoch", 0))
        rows = [
            row
            for row in _metric_rows(self.tune_id, metrics, epoch)
            if not row.name.endswith("_step")
        ]
        for row in rows:
            row.name = row.name.removesuffix("_epoch")
        TuneMetric.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["tune", "epoch", "split", "name"],
            update_fields=["value"],
        )
        test = {f"{row.name}": row.value for row in rows if row.split == "test"}
        if test:
            tune = Tune.objects.get(pk=self.tune_id)
            Tune.objects.filter(pk=self.tune_id).update(
                test_metrics={**tune.test_metrics, **test}
            )


class TuneCancelled(Exception):
    """The tune stopped being this run's: cancelled, or taken by a retry."""


class ProgressCallback(Callback):
    """Writes the epoch and step to the tune row, at most once a second.

    At the same moments it checks that the tune is still running as this run
    started it, and stops training at once when it is not (a person cancelled
    it).
    """

    def __init__(self, tune_id: int, started) -> None:
        self.tune_id = tune_id
        self.started = started
        self.last_write = 0.0

    def _check_still_running(self) -> None:
        if not Tune.objects.filter(
            pk=self.tune_id, status=Tune.Status.RUNNING, started=self.started
        ).exists():
            raise TuneCancelled(f"Tune {self.tune_id} is no longer running")

    def on_validation_batch_end(self, trainer, *args, **kwargs) -> None:
        now = time.monotonic()
        if now - self.last_write >= PROGRESS_INTERVAL_SECONDS:
            self.last_write = now
            self._check_still_running()

    on_test_batch_end = on_validation_batch_end

    def on_train_epoch_start(self, trainer, pl_module) -> None:
        Tune.objects.filter(pk=self.tune_id).update(
            epoch=trainer.current_epoch,
            step=0,
            steps_per_epoch=int(trainer.num_training_batches),
        )

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx) -> None:
        now = time.monotonic()
        if now - self.last_write >= PROGRESS_INTERVAL_SECONDS:
            self.last_write = now
            self._check_still_running()
            Tune.objects.filter(pk=self.tune_id).update(step=batch_idx + 1)

    def on_train_epoch_end(self, trainer, pl_module) -> None:
        Tune.objects.filter(pk=self.tune_id).update(
            epoch=trainer.current_epoch + 1, step=0
        )
        shown = ("train/loss", "val/loss", "val/mIoU", "val/RMSE")
        values = ", ".join(
            f"{key} {float(trainer.callback_metrics[key]):.4f}"
            for key in shown
            if key in trainer.callback_metrics
        )
        logger.info(
            "Tune %s epoch %d of %d done: %s",
            self.tune_id,
            trainer.current_epoch + 1,
            trainer.max_epochs,
            values,
        )

"""Queueing a tune, and the worker job that trains it.

The job runs inside a django-q2 worker process. The training module (TerraTorch
and Lightning) is imported on the first tune and stays imported in that
process, so later tunes start at once, and the web server never imports it.
"""

import logging
import traceback
import warnings
from contextlib import contextmanager
from pathlib import Path

from django.db import transaction
from django_q.tasks import async_task

from .lifecycle import move
from .models import Tune

logger = logging.getLogger(__name__)

# Loggers whose records belong in a tune's own log file.
CAPTURED_LOGGERS = [
    "tunes",
    "lightning",
    "pytorch_lightning",
    "terratorch",
    "py.warnings",
]


def queue_tune(tune: Tune) -> None:
    """Queue a pending tune once the current transaction commits."""
    if not move(tune.pk, [Tune.Status.PENDING], Tune.Status.QUEUED):
        return
    tune.status = Tune.Status.QUEUED

    def enqueue() -> None:
        async_task("tunes.jobs.run_tune", tune.pk, task_name=f"tune-{tune.pk}")
        logger.info("Tune %s queued", tune.pk)

    transaction.on_commit(enqueue)


def run_tune(tune_id: int) -> None:
    """Train one tune. Running it twice is harmless: only a queued tune starts."""
    if not move(tune_id, [Tune.Status.QUEUED], Tune.Status.RUNNING):
        logger.info("Tune %s is not queued any more; nothing to do", tune_id)
        return

    tune = Tune.objects.select_related("template", "backbone", "dataset").get(
        pk=tune_id
    )
    tune.folder.mkdir(parents=True, exist_ok=True)
    with _tune_log(tune.log_path):
        logger.info(
            "Tune %s started: %s of %s on %s",
            tune.pk,
            tune.template.name,
            tune.backbone.name,
            tune.dataset.name,
        )
        try:
            from .training import train

            train(tune)
        except Exception as exc:
            reason = f"{type(exc).__name__}: {exc}"
            logger.error(
                "Tune %s failed: %s\n%s", tune.pk, reason, traceback.format_exc()
            )
            _finish(tune, Tune.Status.FAILED, reason)
        else:
            logger.info("Tune %s finished", tune.pk)
            _finish(tune, Tune.Status.FINISHED, "")


def _finish(tune: Tune, status: str, message: str) -> None:
    move(tune.pk, [Tune.Status.RUNNING], status, message)


@contextmanager
def _tune_log(path: Path):
    """Copy the job's own log records, Lightning's and warnings into a file."""
    handler = logging.FileHandler(path)
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    handler.setLevel(logging.INFO)
    loggers = [logging.getLogger(name) for name in CAPTURED_LOGGERS]
    levels = [each.level for each in loggers]
    for each in loggers:
        each.addHandler(handler)
        if each.getEffectiveLevel() > logging.INFO:
            each.setLevel(logging.INFO)
    logging.captureWarnings(True)
    try:
        with warnings.catch_warnings():
            # A library's deprecation notices say nothing about this tune.
            warnings.simplefilter("once")
            warnings.simplefilter("ignore", DeprecationWarning)
            warnings.simplefilter("ignore", PendingDeprecationWarning)
            yield
    finally:
        logging.captureWarnings(False)
        for each, level in zip(loggers, levels, strict=True):
            each.removeHandler(handler)
            each.setLevel(level)
        handler.close()

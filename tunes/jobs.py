"""Queueing a tune, and the worker job that trains it.

The job runs inside a django-q2 worker process. The training module (TerraTorch
and Lightning) is imported on the first tune and stays imported in that
process, so later tunes start at once, and the web server never imports it.
"""

import logging
import shutil
import threading
import traceback
import warnings
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
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
    max_epochs = tune.parameters.get("max_epochs", 0)
    if not move(
        tune.pk, [Tune.Status.PENDING], Tune.Status.QUEUED, max_epochs=max_epochs
    ):
        return
    tune.status = Tune.Status.QUEUED

    def enqueue() -> None:
        async_task(
            "tunes.jobs.run_tune",
            tune.pk,
            task_name=f"tune-{tune.pk}",
            cluster=settings.TUNE_QUEUE,
        )
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
    with _tune_log(tune.log_path), _heartbeat(tune):
        logger.info(
            "Tune %s started: %s of %s on %s",
            tune.pk,
            tune.template.name,
            tune.backbone.name,
            tune.dataset.name,
        )
        from .training import TuneCancelled, train

        try:
            train(tune)
        except TuneCancelled:
            logger.info("Tune %s cancelled; training stopped", tune.pk)
        except Exception as exc:
            if not Tune.objects.filter(pk=tune.pk).exists():
                # Deleted while training: its rows are gone, so writing the
                # next metric failed. Nothing is left to mark.
                logger.info("Tune %s was deleted; training stopped", tune.pk)
                return
            reason = f"{type(exc).__name__}: {exc}"
            logger.error(
                "Tune %s failed: %s\n%s", tune.pk, reason, traceback.format_exc()
            )
            _finish(tune, Tune.Status.FAILED, reason)
        else:
            logger.info("Tune %s finished", tune.pk)
            _finish(tune, Tune.Status.FINISHED, "")


def cancel_tune(tune: Tune) -> bool:
    """Cancel a queued or running tune; a running one stops within seconds."""
    cancelled = move(
        tune.pk,
        [Tune.Status.PENDING, Tune.Status.QUEUED, Tune.Status.RUNNING],
        Tune.Status.CANCELLED,
        "Cancelled by a person",
    )
    if cancelled:
        logger.info("Tune %s cancelled", tune.pk)
    return cancelled


def retry_tune(tune: Tune) -> bool:
    """Queue a failed or cancelled tune again, from scratch."""
    retried = move(
        tune.pk,
        [Tune.Status.FAILED, Tune.Status.CANCELLED],
        Tune.Status.PENDING,
        "Retried",
        epoch=0,
        step=0,
        started=None,
        finished=None,
        heartbeat=None,
        test_metrics={},
    )
    if not retried:
        return False
    tune.metrics.all().delete()
    tune.checkpoint_path.unlink(missing_ok=True)
    queue_tune(tune)
    return True


def delete_tune(tune: Tune) -> None:
    """Cancel the tune if it is still going, then remove it and its files.

    Inference runs made with it stay in history: they point at no tune then.
    """
    cancel_tune(tune)
    tune_id, folder = tune.pk, tune.folder
    tune.delete()
    shutil.rmtree(folder, ignore_errors=True)
    logger.info("Tune %s deleted with its files", tune_id)


def fail_lost_tunes() -> int:
    """Fail running tunes whose worker stopped sending heartbeats.

    Scheduled every minute on the worker queue. A worker that is killed, runs
    out of memory or loses its machine cannot say so itself.
    """
    timeout = settings.TUNE_HEARTBEAT_TIMEOUT_SECONDS
    cutoff = timezone.now() - timedelta(seconds=timeout)
    lost = 0
    for tune in Tune.objects.filter(status=Tune.Status.RUNNING, heartbeat__lt=cutoff):
        reason = (
            f"The worker stopped responding: no heartbeat for over {timeout} s "
            "(killed, out of memory, or its machine restarted). Retry the tune."
        )
        if move(
            tune.pk,
            [Tune.Status.RUNNING],
            Tune.Status.FAILED,
            reason,
            where={"heartbeat": tune.heartbeat},
        ):
            lost += 1
            logger.warning("Tune %s failed: %s", tune.pk, reason)
            tune.folder.mkdir(parents=True, exist_ok=True)
            with tune.log_path.open("a") as log:
                log.write(f"{timezone.now():%Y-%m-%d %H:%M:%S} ERROR {reason}\n")
    return lost


def _finish(tune: Tune, status: str, message: str) -> None:
    # Only this run's outcome counts: a cancel or the heartbeat check may
    # have ended the tune already.
    move(
        tune.pk, [Tune.Status.RUNNING], status, message, where={"started": tune.started}
    )


@contextmanager
def _heartbeat(tune: Tune):
    """Stamp the tune from a thread while this process lives."""
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(settings.TUNE_HEARTBEAT_SECONDS):
            try:
                Tune.objects.filter(
                    pk=tune.pk, status=Tune.Status.RUNNING, started=tune.started
                ).update(heartbeat=timezone.now())
            except DatabaseError as exc:
                # A busy database skips one beat; the timeout allows many.
                logger.warning("Tune %s heartbeat not written: %s", tune.pk, exc)
        connection.close()

    thread = threading.Thread(
        target=beat, name=f"tune-{tune.pk}-heartbeat", daemon=True
    )
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


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

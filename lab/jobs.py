"""Queueing an inference run, and the worker job that runs it.

The job finds the run's scenes, checks their bands against the tune's, builds
the input image, loads the tune's checkpoint and writes the prediction. Any
problem ends the run as failed with a message for the person; nothing is left
half-written where the lab would show it.
"""

import logging
import traceback

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_q.tasks import async_task

from .models import InferenceRun
from .sources import RunError, find_scenes, match_bands

logger = logging.getLogger(__name__)

# Share of the progress bar each step takes; the model's run is most of it.
INPUT_SHARE = 20
SIDES = ["west", "south", "east", "north"]
MODEL_SHARE = 75


def queue_run(run: InferenceRun) -> None:
    """Queue a run once the current transaction commits."""

    def enqueue() -> None:
        logger.info("Inference run %s queued", run.pk)
        async_task(
            "lab.jobs.run_inference",
            run.pk,
            task_name=f"inference-run-{run.pk}",
            cluster=settings.INFERENCE_QUEUE,
        )

    transaction.on_commit(enqueue)


def run_inference(run_id: int) -> None:
    """Run one queued inference run. Running it twice is harmless."""
    # FIXME: a run whose worker dies stays "running": runs have no heartbeat yet.
    claimed = InferenceRun.objects.filter(
        pk=run_id, status=InferenceRun.Status.QUEUED
    ).update(
        status=InferenceRun.Status.RUNNING,
        started=timezone.now(),
        stage="Finding imagery",
        progress=0,
    )
    if not claimed:
        logger.info("Inference run %s is not queued any more; nothing to do", run_id)
        return

    run = InferenceRun.objects.select_related("tune").get(pk=run_id)
    logger.info(
        "Inference run %s started: %s of tune %s (%s)",
        run.pk,
        run.name,
        run.tune_id,
        run.get_source_display(),
    )
    try:
        _run(run)
    except RunError as exc:
        logger.info("Inference run %s failed: %s", run.pk, exc)
        _finish(run, InferenceRun.Status.FAILED, str(exc))
    except Exception as exc:
        logger.error(
            "Inference run %s failed: %r\n%s", run.pk, exc, traceback.format_exc()
        )
        _finish(
            run,
            InferenceRun.Status.FAILED,
            f"Unexpected error: {type(exc).__name__}: {exc}",
        )
    else:
        logger.info("Inference run %s finished", run.pk)
        _finish(run, InferenceRun.Status.FINISHED, "")


def _run(run: InferenceRun) -> None:
    from . import inference, mosaic

    tune = run.tune
    if tune is None:
        raise RunError("The tune was deleted before the run started.")
    config = run.config
    run.folder.mkdir(parents=True, exist_ok=True)

    scenes = find_scenes(run)
    matches = [match_bands(scene, config) for scene in scenes]
    _update(
        run,
        stage=f"Building the input image from {len(scenes)} scene(s)",
        scenes=[scene.describe() for scene in scenes],
    )
    grid = mosaic.build_input(
        scenes,
        matches,
        [band["name"] for band in config["bands"]],
        run.input_path,
        run.bbox if run.has_area else None,
        on_progress=inference.ProgressThrottle(
            lambda done: _update(run, progress=int(INPUT_SHARE * done))
        ),
    )
    area = {}
    if not run.has_area:
        area = dict(zip(SIDES, grid.bounds_4326, strict=True))
    _update(
        run,
        stage="Loading the tune's checkpoint",
        crs=grid.crs.to_string(),
        width=grid.width,
        height=grid.height,
        progress=INPUT_SHARE,
        **area,
    )

    model = inference.load_model(tune)
    _update(run, stage="Running the model")
    value_range = inference.predict(
        model,
        run.input_path,
        run.prediction_path,
        config,
        config["tile_size"],
        on_progress=inference.ProgressThrottle(
            lambda done: _update(run, progress=INPUT_SHARE + int(MODEL_SHARE * done))
        ),
    )
    _update(run, value_range=value_range)
    logger.info(
        "Inference run %s wrote its prediction: %d x %d pixels",
        run.pk,
        grid.width,
        grid.height,
    )


def _update(run: InferenceRun, **fields) -> None:
    InferenceRun.objects.filter(pk=run.pk).update(**fields)
    for name, value in fields.items():
        setattr(run, name, value)


def _finish(run: InferenceRun, status: str, message: str) -> None:
    InferenceRun.objects.filter(pk=run.pk, status=InferenceRun.Status.RUNNING).update(
        status=status,
        status_message=message,
        stage="",
        progress=100 if status == InferenceRun.Status.FINISHED else run.progress,
        finished=timezone.now(),
    )

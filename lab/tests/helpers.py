"""Rows, files and form posts shared by the lab's tests."""

import shutil
from pathlib import Path
from typing import Any

import torch
from django.conf import settings
from django.urls import reverse

from lab.config import lab_config
from lab.models import Scene
from tunes.models import Tune
from tunes.tests.factories import make_tune

from .factories import make_run

S1_CHIPS = settings.SAMPLE_DATA_DIR / "sen1floods11" / "S1Hand"
FTW_SCENE = settings.SAMPLE_DATA_DIR / "scenes" / "ftw_two_date_s2_8band.tif"


def make_finished_tune(owner, dataset, checkpoints: Path, **fields) -> Tune:
    """A finished tune whose checkpoint holds an untrained (seeded) model."""
    tune = make_tune(owner, dataset=dataset, status=Tune.Status.FINISHED, **fields)
    write_checkpoint(tune, checkpoints)
    return tune


def write_checkpoint(tune: Tune, checkpoints: Path) -> None:
    # Building the model takes a second and its file is 50 MB: it is built
    # once per test session and copied.
    cached = checkpoints / f"{tune.backbone.name}-{len(tune.bands)}-bands.ckpt"
    if not cached.exists():
        from tunes.factory import build_task
        from tunes.weights import FOR_CHECKPOINT

        torch.manual_seed(0)
        task = build_task(tune, FOR_CHECKPOINT)
        torch.save({"state_dict": task.state_dict()}, cached)
    tune.checkpoint_path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(cached, tune.checkpoint_path)


def scene_bbox(name: str) -> dict[str, float]:
    scene = Scene.objects.get(name=name)
    return {
        "west": scene.west,
        "south": scene.south,
        "east": scene.east,
        "north": scene.north,
    }


def run_post(**fields) -> dict[str, Any]:
    data = {
        "name": "Nigeria floods",
        "source": "catalog",
        "start_date": "2018-06-01",
        "end_date": "2019-06-01",
    }
    data.update(fields)
    return data


def config_post(tune: Tune, **source) -> dict[str, Any]:
    """The "Try in Lab" form as its dialog posts it, with source changes."""
    config = lab_config(tune)
    data = {
        "source-kind": config["source"]["kind"],
        "source-name": config["source"]["name"],
        "source-collection": config["source"]["collection"],
        "source-file_suffix": config["file_suffix"],
    }
    data.update({f"source-{key}": value for key, value in source.items()})
    for prefix, rows, fields in (
        ("band", config["bands"], ["index", "name", "scaling_factor", "rgb"]),
        ("category", config["categories"], ["value", "name", "colour", "opacity"]),
        ("layer", config["layers"], ["key", "name", "z_index", "rgb_max"]),
    ):
        data[f"{prefix}-TOTAL_FORMS"] = len(rows)
        data[f"{prefix}-INITIAL_FORMS"] = len(rows)
        for position, row in enumerate(rows):
            for field in fields:
                if field in row:
                    data[f"{prefix}-{position}-{field}"] = row[field]
    return data


def create_run(client, tune: Tune, capture, **fields):
    """Post the run form with the worker's job run at once, in this process."""
    with capture(execute=True):
        return client.post(
            reverse("lab:create_run", args=[tune.pk]), run_post(**fields)
        )


def finish_run(owner, tune: Tune, **fields):
    """A run of ``tune`` over the Nigeria chip, run to its end."""
    from lab.jobs import run_inference

    run = make_run(owner, tune, **fields)
    run_inference(run.pk)
    run.refresh_from_db()
    assert run.status == run.Status.FINISHED, run.status_message
    return run

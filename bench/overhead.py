"""Benchmark of the studio's overhead: one tune through the studio's worker and
through `terratorch fit` on the tune's exported config, side by side.

Onboards the bundled Sen1Floods11 sample into a throwaway database, then
alternates, --repeats times: a tune queued to a freshly started worker
(`manage.py qcluster`), and `terratorch fit --config config.yaml` in the
unpacked export of that same tune (tunes.export.config_archive), with a CSV
logger added so its metrics can be read. Same chips, same seed, same budget.

It prints the median wall times and their ratio, the same for CPU time (what
both used of the machine, steadier than wall time on a shared machine), and
the largest difference between the two runs' per-epoch metrics.

The studio's time runs from the moment its worker claims the tune to the
tune's end (TerraTorch imported, trained, the best checkpoint tested, metrics
stored); the queue's pick-up delay is shown apart. `terratorch fit` runs from
its process start to its end, without the test pass the studio adds, so the
ratio leans against the studio. Random crops and flips are off by default:
albumentations draws them from a generator no seed reaches, so with them the
two runs cannot train alike (--augment, --crop 128 turn them on).

    .venv/bin/python bench/overhead.py
    .venv/bin/python bench/overhead.py --epochs 5 --repeats 3
"""

import argparse
import csv
import io
import os
import platform
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
TERRATORCH = Path(sys.executable).parent / "terratorch"
COMPARED = ["train/loss", "val/loss", "val/mIoU", "val/Pixel_Accuracy"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument(
        "--crop", type=int, default=512, help="512, the chips' side: no crop"
    )
    parser.add_argument(
        "--augment", action="store_true", help="random flips (metrics then differ)"
    )
    parser.add_argument("--batch", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    storage = Path(tempfile.mkdtemp(prefix="studio-bench-overhead-"))
    os.environ["STUDIO_STORAGE_ROOT"] = str(storage)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studio_site.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection

    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        runs = _alternate(storage, args)
    finally:
        connection.creation.destroy_test_db(
            connection.settings_dict["NAME"], verbosity=0
        )
    _print(runs, args)
    shutil.rmtree(storage)


def _alternate(storage: Path, args) -> list[dict]:
    from tunes.export import config_archive

    user, dataset = _onboarded_sample()
    runs = []
    for repeat in range(args.repeats):
        tune = _new_tune(user, dataset, args, f"Overhead {repeat}")
        runs.append(_through_studio(tune, storage))
        tune.refresh_from_db()
        runs.append(_through_terratorch(config_archive(tune), storage / "cli"))
        runs[-1]["tune"] = runs[-2]["tune"] = tune.pk
    return runs


def _through_studio(tune, storage: Path) -> dict:
    from tunes.jobs import queue_tune
    from tunes.models import Tune

    worker = _start_worker(storage)
    try:
        queued = time.perf_counter()
        queue_tune(tune)
        while tune.status == Tune.Status.QUEUED:
            time.sleep(0.1)
            tune.refresh_from_db()
        cpu_at_start = _session_cpu_seconds(worker.pid)
        while not tune.is_final:
            time.sleep(0.1)
            tune.refresh_from_db()
        cpu = _session_cpu_seconds(worker.pid) - cpu_at_start
        ended = time.perf_counter()
    finally:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()
    assert tune.status == Tune.Status.FINISHED, tune.status_message
    job = (tune.finished - tune.started).total_seconds()
    metrics = {
        (epoch, f"{split}/{name}"): value
        for epoch, split, name, value in tune.metrics.exclude(split="test").values_list(
            "epoch", "split", "name", "value"
        )
    }
    return {
        "way": "studio",
        "seconds": job,
        "cpu": cpu,
        "pickup": (ended - queued) - job,
        "metrics": metrics,
    }


def _through_terratorch(archive: bytes, folder: Path) -> dict:
    import yaml

    folder.mkdir(exist_ok=True)
    run = Path(tempfile.mkdtemp(dir=folder))
    with zipfile.ZipFile(io.BytesIO(archive)) as unzipped:
        unzipped.extractall(run)
    config = yaml.safe_load((run / "config.yaml").read_text())
    # A CSV file to read the metrics from; a logger does not change training.
    config["trainer"]["logger"] = {
        "class_path": "lightning.pytorch.loggers.CSVLogger",
        "init_args": {"save_dir": "output", "name": "csv", "version": 0},
    }
    (run / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))

    cpu_before = _children_cpu_seconds()
    start = time.perf_counter()
    subprocess.run(
        [str(TERRATORCH), "fit", "--config", "config.yaml"],
        cwd=run,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
    )
    seconds = time.perf_counter() - start
    return {
        "way": "terratorch fit",
        "seconds": seconds,
        "cpu": _children_cpu_seconds() - cpu_before,
        "metrics": _csv_metrics(run),
    }


def _children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _session_cpu_seconds(session: int) -> float:
    """CPU time of the processes of a session so far, theirs and their children's.

    The worker's processes live on between jobs, so what a job cost is the
    difference of two readings.
    """
    ticks = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue  # the process ended meanwhile
        # Fields after the name: state, ppid, pgrp, session, ..., utime and
        # stime (12th and 13th), cutime and cstime.
        if int(fields[3]) == session:
            ticks += sum(int(field) for field in fields[11:15])
    return ticks / os.sysconf("SC_CLK_TCK")


def _csv_metrics(run: Path) -> dict:
    metrics = {}
    with (run / "output" / "csv" / "version_0" / "metrics.csv").open() as file:
        for row in csv.DictReader(file):
            for key, value in row.items():
                name = key.removesuffix("_epoch")
                if value == "" or key.endswith("_step") or "/" not in key:
                    continue
                metrics[(int(row["epoch"]), name)] = float(value)
    return metrics


def _start_worker(storage: Path) -> subprocess.Popen:
    from django.conf import settings
    from django.db import connection

    env = {**os.environ, "STUDIO_SECRET_KEY": settings.SECRET_KEY}
    if connection.vendor == "sqlite":
        env["STUDIO_DATABASE_PATH"] = str(connection.settings_dict["NAME"])
    else:
        database = {
            key: quote(str(value), safe="")
            for key, value in connection.settings_dict.items()
            if key in {"USER", "PASSWORD", "HOST", "PORT", "NAME"}
        }
        env["STUDIO_DATABASE_URL"] = (
            "postgres://{USER}:{PASSWORD}@{HOST}:{PORT}/{NAME}".format(**database)
        )
    log = (storage / "worker.log").open("a")
    return subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), "qcluster"],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def _onboarded_sample():
    from django.conf import settings
    from django.contrib.auth import get_user_model

    from datasets.models import Dataset
    from datasets.onboarding import onboard_dataset
    from datasets.sample import new_sample_dataset

    user = get_user_model().objects.create_user("bench", password="bench-pass-123")
    dataset = new_sample_dataset(owner=user, name="Sen1Floods11 S1")
    onboard_dataset(dataset.pk, str(settings.SAMPLE_DATA_DIR / "sen1floods11"))
    dataset.refresh_from_db()
    assert dataset.status == Dataset.Status.READY, dataset.status_message
    return user, dataset


def _new_tune(user, dataset, args, name: str):
    from tunes.models import Backbone, Template, Tune
    from tunes.parameters import defaults

    template = Template.objects.get(slug="resnet-segmentation")
    parameters = defaults(template.parameters)
    parameters.update(
        max_epochs=args.epochs,
        crop_size=args.crop,
        batch_size=args.batch,
        early_stopping_patience=0,
        seed=0,
        # Random crops and flips come from albumentations' own generator,
        # which no seed reaches: with them, no two runs train alike.
        flip=args.augment,
    )
    return Tune.objects.create(
        owner=user,
        name=name,
        template=template,
        backbone=Backbone.objects.get(name="timm_resnet18"),
        dataset=dataset,
        parameters=parameters,
        bands=[
            {"index": 0, "use": True, "name": "VV", "scaling_factor": 1.0, "rgb": ""},
            {"index": 1, "use": True, "name": "VH", "scaling_factor": 1.0, "rgb": ""},
        ],
    )


def _print(runs: list[dict], args) -> None:
    from django.db import connection

    print(f"Machine: {platform.machine()}, {os.cpu_count()} CPUs; {_cpu_name()}")
    print("Load average at the end: " + ", ".join(f"{v:.2f}" for v in os.getloadavg()))
    print(
        f"Python {platform.python_version()}, database {connection.vendor}; "
        f"timm_resnet18 U-Net, {args.epochs} epochs, crop {args.crop}, "
        f"batch {args.batch}, seed 0, {args.repeats} runs each, alternating"
    )
    print()
    for run in runs:
        extra = f", +{run['pickup']:.1f} s queue pick-up" if "pickup" in run else ""
        print(
            f"tune {run['tune']:>3} {run['way']:<15}{run['seconds']:>7.1f} s wall, "
            f"{run['cpu']:>6.1f} s CPU{extra}"
        )
    print()
    for measure in ("seconds", "cpu"):
        studio = [run[measure] for run in runs if run["way"] == "studio"]
        cli = [run[measure] for run in runs if run["way"] != "studio"]
        pairs = [mine / theirs for mine, theirs in zip(studio, cli, strict=True)]
        label = "wall time" if measure == "seconds" else "CPU time"
        print(
            f"{label}: median studio {statistics.median(studio):.1f} s, terratorch "
            f"fit {statistics.median(cli):.1f} s, ratio "
            f"{statistics.median(studio) / statistics.median(cli):.3f}; "
            f"per pair {', '.join(f'{pair:.3f}' for pair in pairs)}"
        )

    differences = []
    for studio_run, cli_run in zip(runs[::2], runs[1::2], strict=True):
        for key in studio_run["metrics"].keys() & cli_run["metrics"].keys():
            if key[1] in COMPARED:
                differences.append(
                    abs(studio_run["metrics"][key] - cli_run["metrics"][key])
                )
    compared = len(differences)
    print(
        f"metrics: {compared} per-epoch values of {', '.join(COMPARED)} compared, "
        f"largest difference {max(differences, default=float('nan')):.3g}"
    )


def _cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.partition(":")[2].strip()
    except OSError:
        pass
    return platform.processor() or "CPU unknown"


if __name__ == "__main__":
    main()

import shutil
from pathlib import Path

import rasterio
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from lab.config import lab_config, run_config
from lab.jobs import queue_run, run_inference
from lab.models import InferenceRun
from tunes.models import Tune


class Command(BaseCommand):
    help = (
        "Run a finished tune on a GeoTIFF on this server, as the lab's upload "
        "does, with the tune's lab settings. Runs here and now unless --queue is "
        "given; prints where the prediction (a Cloud-Optimized GeoTIFF) is."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("tune", type=int, help="The tune's id.")
        parser.add_argument("file", type=Path, help="A GeoTIFF to run the tune on.")
        parser.add_argument("--name", help="The run's name (default: the file's).")
        parser.add_argument(
            "--queue", action="store_true", help="Leave the run to the worker."
        )

    def handle(self, *args, tune: int, file: Path, name, queue: bool, **options):
        try:
            tune_row = Tune.objects.select_related("template", "dataset").get(pk=tune)
        except Tune.DoesNotExist:
            raise CommandError(f"No tune {tune}.") from None
        if tune_row.status != Tune.Status.FINISHED:
            raise CommandError(
                f"Tune {tune} is {tune_row.status}: only a finished tune can run."
            )
        _check_geotiff(file)

        with transaction.atomic():
            run = InferenceRun.objects.create(
                owner=tune_row.owner,
                tune=tune_row,
                tune_name=tune_row.name,
                task_type=tune_row.template.task_type,
                name=name or file.name,
                source=InferenceRun.Source.UPLOAD,
                config=run_config(tune_row, lab_config(tune_row)),
                upload_name=file.name,
            )
            run.folder.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(file, run.upload_path)
            if queue:
                queue_run(run)
        if queue:
            self.stdout.write(f"Run {run.pk} queued.")
            return

        run_inference(run.pk)
        run.refresh_from_db()
        if run.status != InferenceRun.Status.FINISHED:
            raise CommandError(f"Run {run.pk} {run.status}: {run.status_message}")
        self.stdout.write(
            self.style.SUCCESS(f"Run {run.pk} finished: {run.prediction_path}")
        )


def _check_geotiff(file: Path) -> None:
    if not file.is_file():
        raise CommandError(f"{file} is not a file.")
    try:
        with rasterio.open(file, driver="GTiff"):
            pass
    except rasterio.errors.RasterioError as exc:
        raise CommandError(f"{file} is not a readable GeoTIFF: {exc}") from None

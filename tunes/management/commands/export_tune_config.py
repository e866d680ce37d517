from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tunes.export import config_archive
from tunes.models import Tune
from tunes.weights import WeightsError


class Command(BaseCommand):
    help = (
        "Write a tune's TerraTorch config and split files as a zip, the model "
        "page's Download config: unzip it and run `terratorch fit --config "
        "config.yaml` to train the same model on the same data."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("tune", type=int, help="The tune's id.")
        parser.add_argument(
            "--output",
            type=Path,
            help="Where to write the zip (default: tune-ID-config.zip here).",
        )

    def handle(self, *args, tune: int, output: Path | None, **options) -> None:
        try:
            tune_row = Tune.objects.select_related(
                "template", "backbone", "dataset"
            ).get(pk=tune)
        except Tune.DoesNotExist:
            raise CommandError(f"No tune {tune}.") from None
        output = output or Path(f"tune-{tune}-config.zip")
        if output.exists() and not output.is_file():
            raise CommandError(f"{output} exists and is not a file.")
        if not output.parent.is_dir():
            raise CommandError(f"The folder {output.parent} does not exist.")
        try:
            archive = config_archive(tune_row)
        except (WeightsError, ValueError) as exc:
            raise CommandError(f"Tune {tune} has no exportable config: {exc}") from None
        output.write_bytes(archive)
        self.stdout.write(self.style.SUCCESS(f"Wrote {output}"))

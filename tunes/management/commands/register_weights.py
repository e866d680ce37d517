from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tunes.models import Backbone
from tunes.weights import WeightsError, register


class Command(BaseCommand):
    help = (
        "Register a local weights file for a backbone of the catalog. The file is "
        "loaded into the backbone as a tune would load it, and refused unless "
        "its tensors fill the backbone. Tunes then start from it instead of the "
        "Hugging Face cache or random initialisation."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "backbone",
            metavar="BACKBONE",
            help="The backbone's name in the catalog, e.g. Prithvi_EO_V1_100M, or "
            "its TerraTorch name.",
        )
        parser.add_argument(
            "path",
            metavar="PATH",
            nargs="?",
            help="The weights file (.pt, .pth, .ckpt or .safetensors) on this "
            "machine, where the worker can read it.",
        )
        parser.add_argument(
            "--clear",
            action="store_true",
            help="Forget the backbone's registered file instead.",
        )

    def handle(self, *args, **options) -> None:
        backbone = self._backbone(options["backbone"])
        if options["clear"]:
            if options["path"]:
                raise CommandError("Give either PATH or --clear, not both.")
            Backbone.objects.filter(pk=backbone.pk).update(
                weights_path="",
                weights_tensors_matched=None,
                weights_tensors_total=None,
                weights_checked=None,
                weights_check_message="",
            )
            self.stdout.write(f"{backbone.name} has no registered weights now.")
            return
        if not options["path"]:
            raise CommandError("Give the PATH of the weights file, or --clear.")

        path = Path(options["path"]).expanduser().resolve()
        self.stdout.write(f"Loading {path} into {backbone.name}…")
        try:
            check = register(backbone, str(path))
        except WeightsError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Registered {path} for {backbone.name}: {check.matched} of "
                f"{check.total} weight tensors of the backbone loaded from the file."
            )
        )
        if check.matched < check.total:
            self.stdout.write(
                self.style.WARNING(
                    f"{check.total - check.matched} weight tensors keep their "
                    "random initialisation: check that the file is meant for "
                    f"{backbone.name}, or clear it with --clear."
                )
            )

    def _backbone(self, name: str) -> Backbone:
        backbone = (
            Backbone.objects.filter(name=name).first()
            or Backbone.objects.filter(registry_name=name).first()
        )
        if backbone is None:
            names = ", ".join(Backbone.objects.values_list("name", flat=True))
            raise CommandError(f"No backbone {name!r} in the catalog. It has: {names}.")
        return backbone

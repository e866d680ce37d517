import zipfile
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from datasets.jobs import queue_onboarding
from datasets.models import Dataset
from datasets.onboarding import onboard_dataset
from datasets.specs import (
    check_specs,
    check_suffixes,
    parse_band,
    parse_category,
    save_dataset,
)


class Command(BaseCommand):
    help = (
        "Create a dataset from a folder or .zip of GeoTIFF chips on this server "
        "and onboard it: check every chip, split them into train / val / test, "
        "compute band statistics and prepare copies for training. Runs here and "
        "now unless --queue is given. Example: onboard_dataset chips.zip --name "
        '"Floods" --image-suffix _S1Hand.tif --label-suffix _LabelHand.tif '
        "--band VV --band VH --category 0:dry --category 1:water:#1f78b4 --shared"
    )

    def add_arguments(self, parser):
        parser.add_argument("source", help="A folder or .zip of GeoTIFF chips.")
        parser.add_argument("--name", required=True, help="The dataset's name.")
        parser.add_argument("--description", default="")
        parser.add_argument(
            "--image-suffix",
            required=True,
            help="End of every image file name, e.g. _S1Hand.tif.",
        )
        parser.add_argument(
            "--label-suffix",
            required=True,
            help="End of every label file name, e.g. _LabelHand.tif.",
        )
        parser.add_argument(
            "--band",
            action="append",
            default=[],
            metavar="NAME[:SCALE[:R|G|B]]",
            help="A band, in image order; repeat for each band. SCALE multiplies "
            "its values (default 1); R, G or B makes it a display channel, e.g. "
            "B04:0.0001:R.",
        )
        parser.add_argument(
            "--category",
            action="append",
            default=[],
            metavar="VALUE:NAME[:#COLOUR[:OPACITY[:WEIGHT]]]",
            help="A label category of a segmentation dataset; repeat for each. "
            "OPACITY (0 to 1) is how the lab draws it, WEIGHT its weight in the loss.",
        )
        parser.add_argument(
            "--task-type",
            choices=Dataset.TaskType.values,
            default=Dataset.TaskType.SEGMENTATION,
        )
        parser.add_argument(
            "--label-nodata",
            type=float,
            default=-1,
            help="Label value meaning no data (default -1).",
        )
        parser.add_argument(
            "--split-seed",
            type=int,
            default=0,
            help="Seed of the train / val / test split (default 0).",
        )
        parser.add_argument("--owner", help="Username of the dataset's owner.")
        parser.add_argument(
            "--shared", action="store_true", help="Make it visible to every user."
        )
        parser.add_argument("--source-name", default="", help='e.g. "Sentinel-1 GRD"')
        parser.add_argument("--source-collection", default="")
        parser.add_argument("--attribution", default="")
        parser.add_argument(
            "--queue",
            action="store_true",
            help="Leave the onboarding to the worker instead of running it here.",
        )

    def handle(self, *args, **options):
        source = Path(options["source"]).expanduser().resolve()
        if not source.exists():
            raise CommandError(f"{source} does not exist.")
        if not source.is_dir() and not zipfile.is_zipfile(source):
            raise CommandError(f"{source} is neither a folder nor a zip file.")

        name = options["name"].strip()
        if not name or len(name) > 200:
            raise CommandError("--name must have 1 to 200 characters.")

        owner = None
        if options["owner"]:
            try:
                owner = get_user_model().objects.get(username=options["owner"])
            except get_user_model().DoesNotExist:
                raise CommandError(f"No user named {options['owner']}.") from None
        elif not options["shared"]:
            raise CommandError(
                "Give --owner, --shared or both: otherwise nobody sees the dataset."
            )

        try:
            bands = [parse_band(text) for text in options["band"]]
            categories = [
                parse_category(text, n) for n, text in enumerate(options["category"])
            ]
            check_suffixes(options["image_suffix"], options["label_suffix"])
            check_specs(
                options["task_type"], options["label_nodata"], bands, categories
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from None

        dataset = save_dataset(
            bands,
            categories,
            name=name,
            description=options["description"],
            owner=owner,
            shared=options["shared"],
            task_type=options["task_type"],
            image_suffix=options["image_suffix"],
            label_suffix=options["label_suffix"],
            label_nodata=options["label_nodata"],
            split_seed=options["split_seed"],
            source_name=options["source_name"],
            source_collection=options["source_collection"],
            attribution=options["attribution"],
        )
        if options["queue"]:
            queue_onboarding(dataset, source)
            self.stdout.write(f"Dataset {dataset.pk} created; onboarding is queued.")
            return

        onboard_dataset(dataset.pk, str(source))
        dataset.refresh_from_db()
        if dataset.status != Dataset.Status.READY:
            raise CommandError(
                f"Dataset {dataset.pk} failed: {dataset.status_message} "
                f"(log: {dataset.log_path})"
            )
        self.stdout.write(
            self.style.SUCCESS(f"Dataset {dataset.pk} ready: {dataset.status_message}")
        )

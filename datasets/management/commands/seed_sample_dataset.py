import logging

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from datasets.models import Dataset
from datasets.onboarding import onboard_dataset
from datasets.specs import BandSpec, CategorySpec, save_dataset

logger = logging.getLogger(__name__)

NAME = "Sen1Floods11 flood chips (Sentinel-1)"
DESCRIPTION = (
    "Eleven hand-labelled Sentinel-1 chips of floods around the world, 512 x 512 "
    "pixels at about 10 m: VV and VH backscatter in dB, labelled dry or water. "
    "Three chips are broken on purpose, as real data is."
)
ATTRIBUTION = (
    'Bonafilia et al., "Sen1Floods11: a georeferenced dataset to train and test '
    'deep learning flood algorithms for Sentinel-1", CVPR Workshops 2020. '
    "Data published by Cloud to Street."
)
BANDS = [BandSpec("VV"), BandSpec("VH")]
CATEGORIES = [
    CategorySpec(0, "dry", "#a6761d", opacity=0.0),
    CategorySpec(1, "water", "#1f78b4", opacity=0.8),
]


class Command(BaseCommand):
    help = (
        "Create and onboard the shared Sen1Floods11 sample dataset from "
        "sample_data/sen1floods11/. Safe to run again: a ready dataset is left "
        "alone, a failed one is onboarded again."
    )

    def handle(self, *args, **options):
        source = settings.SAMPLE_DATA_DIR / "sen1floods11"
        if not source.is_dir():
            raise CommandError(f"The sample data folder {source} is missing.")

        dataset = Dataset.objects.filter(name=NAME, owner=None).first()
        if dataset is None:
            dataset = save_dataset(
                BANDS,
                CATEGORIES,
                name=NAME,
                description=DESCRIPTION,
                shared=True,
                owner=None,
                task_type=Dataset.TaskType.SEGMENTATION,
                source_name="Sentinel-1 GRD",
                source_collection="sentinel-1-grd",
                image_suffix="_S1Hand.tif",
                label_suffix="_LabelHand.tif",
                label_nodata=-1,
                attribution=ATTRIBUTION,
            )
            self.stdout.write(f"Created the sample dataset {dataset.pk}.")
        if dataset.status == Dataset.Status.READY:
            self.stdout.write("The sample dataset is ready; nothing to do.")
            return
        if dataset.status == Dataset.Status.ONBOARDING:
            self.stdout.write(
                "The sample dataset is being onboarded elsewhere; nothing to do."
            )
            return

        # Synchronous, so that `make run` ends with a ready dataset before the
        # worker even starts.
        onboard_dataset(dataset.pk, str(source))
        dataset.refresh_from_db()
        if dataset.status != Dataset.Status.READY:
            raise CommandError(
                f"Onboarding the sample dataset failed: {dataset.status_message} "
                f"(log: {dataset.log_path})"
            )
        self.stdout.write(
            self.style.SUCCESS(f"Sample dataset ready: {dataset.status_message}")
        )

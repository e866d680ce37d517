import logging

from django.core.management.base import BaseCommand, CommandError

from datasets.models import Dataset
from datasets.onboarding import onboard_dataset
from datasets.sample import NAME, new_sample_dataset, sample_folder

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Create and onboard the shared Sen1Floods11 sample dataset from "
        "sample_data/sen1floods11/. Safe to run again: a ready dataset is left "
        "alone, a failed one is onboarded again."
    )

    def handle(self, *args, **options):
        source = sample_folder()
        if not source.is_dir():
            raise CommandError(f"The sample data folder {source} is missing.")

        dataset = Dataset.objects.filter(name=NAME, owner=None).first()
        if dataset is None:
            dataset = new_sample_dataset(shared=True, owner=None)
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

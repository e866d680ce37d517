"""Background work for datasets, run by the django-q2 worker."""

import logging
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django_q.tasks import async_task

from .models import Dataset
from .onboarding import onboard_dataset

logger = logging.getLogger(__name__)


def queue_onboarding(dataset: Dataset, source: str | Path) -> None:
    """Onboard the dataset in the worker once the current transaction commits."""
    dataset_id, source = dataset.pk, str(source)

    # The worker must find the dataset row, so the task waits for the commit.
    def enqueue() -> None:
        task_id = async_task(
            onboard_dataset, dataset_id, source, cluster=settings.ONBOARDING_QUEUE
        )
        logger.info("Onboarding of dataset %s queued as task %s", dataset_id, task_id)

    transaction.on_commit(enqueue)


class CannotOnboard(Exception):
    pass


def queue_reonboarding(dataset: Dataset) -> None:
    """Onboard a ready or failed dataset again, from the files it came from.

    Raises CannotOnboard when a tune is training on it or its files are gone.
    """
    from tunes.models import Tune

    busy = Tune.objects.filter(
        dataset=dataset, status__in=[Tune.Status.QUEUED, Tune.Status.RUNNING]
    )
    if busy.exists():
        raise CannotOnboard(f"{dataset.name}: a tune is training on it")
    source = Path(dataset.source) if dataset.source else None
    if source is None or not source.exists():
        # An uploaded zip is removed once unpacked; its chips stay unpacked.
        source = dataset.unpacked_dir
    if not source.exists():
        raise CannotOnboard(f"{dataset.name}: its chips are no longer on the server")
    moved = Dataset.objects.filter(
        pk=dataset.pk, status__in=[Dataset.Status.READY, Dataset.Status.FAILED]
    ).update(status=Dataset.Status.PENDING, status_message="")
    if not moved:
        raise CannotOnboard(f"{dataset.name}: it is being onboarded already")
    queue_onboarding(dataset, source)

"""Background work for datasets, run by the django-q2 worker."""

import logging
from pathlib import Path

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
        task_id = async_task(onboard_dataset, dataset_id, source)
        logger.info("Onboarding of dataset %s queued as task %s", dataset_id, task_id)

    transaction.on_commit(enqueue)

import pytest
from django_q.conf import Conf

from datasets.jobs import queue_onboarding
from datasets.models import Dataset

from .helpers import SEN1FLOODS11, make_dataset

pytestmark = pytest.mark.django_db


class TestQueueOnboarding:
    def test_it_queues_after_commit(self, django_capture_on_commit_callbacks):
        dataset = make_dataset()

        with django_capture_on_commit_callbacks() as callbacks:
            queue_onboarding(dataset, SEN1FLOODS11)

        assert len(callbacks) == 1
        dataset.refresh_from_db()
        assert dataset.status == Dataset.Status.PENDING

    def test_the_worker_onboards_the_dataset(
        self, django_capture_on_commit_callbacks, monkeypatch, caplog
    ):
        # django-q reads Q_CLUSTER once, at import, so its own flag is patched.
        monkeypatch.setattr(Conf, "SYNC", True)
        dataset = make_dataset()

        with django_capture_on_commit_callbacks(execute=True):
            queue_onboarding(dataset, SEN1FLOODS11)

        dataset.refresh_from_db()
        assert dataset.status == Dataset.Status.READY
        assert f"Onboarding of dataset {dataset.pk} queued" in caplog.text

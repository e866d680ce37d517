"""Each kind of job goes to the queue its setting names."""

import pytest
from django_q.brokers import get_broker

from datasets.jobs import queue_onboarding
from datasets.models import Dataset
from tunes.jobs import queue_tune
from tunes.tests.factories import make_dataset, make_tune

pytestmark = [pytest.mark.django_db, pytest.mark.services]

QUEUES = ("studio", "gpu", "cpu")


@pytest.fixture
def queue_sizes():
    """Empties the queues, and tells how many jobs each holds."""

    def purge() -> None:
        for queue in QUEUES:
            get_broker(queue).purge_queue()

    purge()
    yield lambda: {queue: get_broker(queue).queue_size() for queue in QUEUES}
    purge()


class TestQueues:
    def test_by_default_every_job_goes_to_the_one_queue(
        self, user, queue_sizes, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            queue_tune(make_tune(user))
            queue_onboarding(_pending_dataset(user), "/nowhere")
        assert queue_sizes() == {"studio": 2, "gpu": 0, "cpu": 0}

    def test_tunes_and_onboarding_go_to_their_own_queues(
        self, settings, user, queue_sizes, django_capture_on_commit_callbacks
    ):
        settings.TUNE_QUEUE = "gpu"
        settings.ONBOARDING_QUEUE = "cpu"
        with django_capture_on_commit_callbacks(execute=True):
            queue_tune(make_tune(user))
            queue_tune(make_tune(user, name="Another tune"))
            queue_onboarding(_pending_dataset(user), "/nowhere")
        assert queue_sizes() == {"studio": 0, "gpu": 2, "cpu": 1}


def _pending_dataset(user) -> Dataset:
    return make_dataset(user, name="Pending chips", status=Dataset.Status.PENDING)

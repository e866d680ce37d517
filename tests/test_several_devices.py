"""One tune spread over two devices of one machine, in a real worker.

Two CPU processes stand in for two GPUs: the worker forks one process per
device, exactly as it would for STUDIO_TRAINER_ACCELERATOR=gpu.
"""

import pytest

from datasets.models import Dataset
from datasets.onboarding import onboard_dataset
from tunes.jobs import queue_tune
from tunes.models import Tune
from tunes.tests.factories import make_tune

from .conftest import new_flood_dataset, wait_for
from .test_scale_out import TINY

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.slow,
    pytest.mark.services,
]


class TestSeveralDevices:
    def test_a_tune_trains_on_two_devices_of_one_worker(
        self, settings, user, start_queue_worker, monkeypatch
    ):
        monkeypatch.setenv("STUDIO_TRAINER_ACCELERATOR", "cpu")
        monkeypatch.setenv("STUDIO_TRAINER_DEVICES", "2")
        worker = start_queue_worker("studio")
        dataset = new_flood_dataset(user)
        onboard_dataset(dataset.pk, str(settings.SAMPLE_DATA_DIR / "sen1floods11"))
        dataset.refresh_from_db()
        tune = make_tune(user, dataset=dataset, name="Tune on two devices")
        tune.parameters.update(TINY)
        tune.save()

        queue_tune(tune)
        tune = wait_for(lambda: Tune.objects.get(pk=tune.pk), lambda t: t.is_final)
        assert tune.status == Tune.Status.FINISHED, tune.status_message
        assert dataset.status == Dataset.Status.READY
        assert tune.checkpoint_path.is_file()
        assert tune.metrics.filter(split="val", name="loss").count() == 1
        assert 0.0 <= tune.test_metrics["mIoU"] <= 1.0
        log = worker.log()
        assert "Initializing distributed: GLOBAL_RANK: 1, MEMBER: 2/2" in log

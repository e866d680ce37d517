"""A real worker process (manage.py qcluster) training real tunes."""

import time

import pytest
from django.conf import settings
from django.urls import reverse

from tunes.jobs import fail_lost_tunes, queue_tune, retry_tune
from tunes.models import Tune

from .factories import make_tune

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

LONG = {"max_epochs": 200, "crop_size": 64, "batch_size": 2, "lr": 1e-3}


def _wait_for(tune: Tune, check, timeout: float = 60) -> Tune:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        tune.refresh_from_db()
        if check(tune):
            return tune
        time.sleep(0.5)
    raise AssertionError(f"Tune {tune.pk} still {tune.status} after {timeout} s")


def _long_tune(user, dataset) -> Tune:
    tune = make_tune(user, dataset=dataset, name="Long flood tune")
    tune.parameters.update(LONG)
    tune.save()
    return tune


class TestWorker:
    def test_a_killed_worker_fails_the_tune_and_a_retry_finishes(
        self, user, flood_dataset, start_worker, kill_worker
    ):
        tune = _long_tune(user, flood_dataset)
        worker = start_worker()
        queue_tune(tune)
        _wait_for(tune, lambda t: t.status == Tune.Status.RUNNING and t.epoch >= 1)

        kill_worker(worker)
        time.sleep(3)
        settings.TUNE_HEARTBEAT_TIMEOUT_SECONDS = 2
        assert fail_lost_tunes() == 1

        tune.refresh_from_db()
        assert tune.status == Tune.Status.FAILED
        assert "stopped responding" in tune.status_message
        assert "stopped responding" in tune.log_path.read_text()

        tune.parameters["max_epochs"] = 1
        tune.save(update_fields=["parameters"])
        start_worker()
        assert retry_tune(tune)
        tune = _wait_for(tune, lambda t: t.is_final)
        assert tune.status == Tune.Status.FINISHED, tune.status_message
        assert tune.checkpoint_path.is_file()
        statuses = list(tune.events.values_list("status", flat=True))
        assert statuses == [
            "queued", "running", "failed", "pending", "queued", "running", "finished"
        ]  # fmt: skip

    def test_cancel_stops_a_real_training_run_within_seconds(
        self, client, user, flood_dataset, start_worker
    ):
        client.force_login(user)
        tune = _long_tune(user, flood_dataset)
        start_worker()
        queue_tune(tune)
        _wait_for(tune, lambda t: t.status == Tune.Status.RUNNING and t.epoch >= 1)

        cancelled_at = time.monotonic()
        response = client.post(reverse("tunes:cancel_tune", args=[tune.pk]))
        assert response.status_code == 302

        deadline = cancelled_at + 15
        while time.monotonic() < deadline:
            if "training stopped" in tune.log_path.read_text():
                break
            time.sleep(0.2)
        else:
            raise AssertionError("Training did not stop within 15 s of the cancel")
        tune.refresh_from_db()
        assert tune.status == Tune.Status.CANCELLED
        assert tune.epoch < LONG["max_epochs"]
        assert not fail_lost_tunes()

"""Several worker machines serving one studio: real workers, a real tune.

Three `manage.py qcluster` processes stand for three machines: two GPU machines
serving the tune queue and a CPU machine serving the default queue. They share
the database, the broker and the storage root, as machines would share a
PostgreSQL server, a Redis server and a network file system.
"""

import pytest
from django_q.models import Task
from django_q.tasks import async_task

from datasets.jobs import queue_onboarding
from datasets.models import Dataset
from tunes.jobs import queue_tune
from tunes.models import Tune
from tunes.tests.factories import make_tune

from .conftest import new_flood_dataset, wait_for

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.slow,
    pytest.mark.services,
]

TINY = {"max_epochs": 1, "crop_size": 64, "batch_size": 2, "lr": 1e-3}


class TestScaleOut:
    def test_each_job_runs_on_its_queue_and_a_tune_is_taken_once(
        self, settings, user, storage_root, start_queue_worker
    ):
        settings.TUNE_QUEUE = "gpu"
        settings.ONBOARDING_QUEUE = "studio"
        gpu_workers = [start_queue_worker("gpu"), start_queue_worker("gpu")]
        cpu_worker = start_queue_worker("studio")

        dataset = new_flood_dataset(user)
        queue_onboarding(dataset, settings.SAMPLE_DATA_DIR / "sen1floods11")
        dataset = wait_for(
            lambda: Dataset.objects.get(pk=dataset.pk),
            lambda d: d.status in {Dataset.Status.READY, Dataset.Status.FAILED},
        )
        assert dataset.status == Dataset.Status.READY, dataset.status_message

        tune = make_tune(user, dataset=dataset, name="Tune on a GPU machine")
        tune.parameters.update(TINY)
        tune.save()
        queue_tune(tune)
        tune = wait_for(lambda: Tune.objects.get(pk=tune.pk), lambda t: t.is_final)
        assert tune.status == Tune.Status.FINISHED, tune.status_message
        assert tune.checkpoint_path.is_file()
        assert tune.metrics.filter(split="val", name="loss").count() == 1

        # The onboarding ran on the CPU machine, the tune on one GPU machine.
        # The worker records the job a moment after the tune's last write.
        clusters = wait_for(lambda: _clusters(f"tune-{tune.pk}"), bool, timeout=60)
        assert clusters == ["gpu"]
        assert Task.objects.get(func="datasets.onboarding.onboard_dataset").cluster == (
            "studio"
        )
        started = f"Tune {tune.pk} started"
        assert sum(started in worker.log() for worker in gpu_workers) == 1
        assert started not in cpu_worker.log()
        statuses = list(tune.events.values_list("status", flat=True))
        assert statuses == ["queued", "running", "finished"]

        # A job delivered twice trains once: the second delivery finds the
        # tune finished and does nothing.
        async_task(
            "tunes.jobs.run_tune",
            tune.pk,
            task_name=f"tune-{tune.pk}",
            cluster=settings.TUNE_QUEUE,
        )
        wait_for(lambda: _clusters(f"tune-{tune.pk}"), lambda c: len(c) == 2)
        assert tune.events.count() == 3
        assert sum(worker.log().count(started) for worker in gpu_workers) == 1

        # Everything the jobs wrote is under the storage root.
        for worker in (*gpu_workers, cpu_worker):
            assert not any(worker.cwd.iterdir()), worker.cwd
        assert {path.name for path in storage_root.iterdir()} <= {
            "datasets",
            "tunes",
            "secret_key",
        }


def _clusters(task_name: str) -> list[str]:
    return list(Task.objects.filter(name=task_name).values_list("cluster", flat=True))

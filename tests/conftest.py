"""Real worker processes on the test database, each serving one queue.

`make test` runs the whole suite on SQLite and the ORM broker, then the tests
marked ``services`` again on real PostgreSQL and Redis servers that
scripts/test-services.sh starts; it sets STUDIO_REQUIRE_SERVICES there, so
those tests fail, not skip, if the servers are missing. Tests that only make
sense on PostgreSQL and Redis take the ``postgres_and_redis`` fixture, which a
plain `pytest` without the servers skips.
"""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import worker_environment

ROOT = Path(__file__).resolve().parent.parent
HOW_TO_RUN = (
    "run them through `scripts/test-services.sh run .venv/bin/python -m pytest "
    "-m services`, or set STUDIO_DATABASE_URL and STUDIO_BROKER_URL"
)


def pytest_configure(config) -> None:
    config.addinivalue_line(
        "markers",
        "services: run again by `make test` on real PostgreSQL and Redis servers",
    )


@pytest.fixture(autouse=True)
def _services_when_required(request) -> None:
    if request.node.get_closest_marker("services") is None:
        return
    if os.environ.get("STUDIO_REQUIRE_SERVICES") and (missing := missing_services()):
        pytest.fail(f"{' and '.join(missing)} missing under `make test`")


@pytest.fixture
def postgres_and_redis() -> None:
    if missing := missing_services():
        reason = f"{' and '.join(missing)} not configured: {HOW_TO_RUN}"
        if os.environ.get("STUDIO_REQUIRE_SERVICES"):
            pytest.fail(reason)
        pytest.skip(reason)


def missing_services() -> list[str]:
    from django.conf import settings
    from django.db import connection

    missing = []
    if connection.vendor != "postgresql":
        missing.append("PostgreSQL")
    if "redis" not in settings.Q_CLUSTER:
        missing.append("Redis")
    return missing


@dataclass
class Worker:
    queue: str
    process: subprocess.Popen
    log_path: Path
    cwd: Path

    def log(self) -> str:
        return self.log_path.read_text()

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)


@pytest.fixture
def start_queue_worker(storage_root, tmp_path) -> Callable[[str], Worker]:
    """Start `manage.py qcluster` serving a queue, as a worker machine would.

    Each worker runs in an empty folder of its own, so that a file written
    anywhere but the storage root shows up there.
    """
    from django_q.brokers import get_broker

    workers: list[Worker] = []
    queues: set[str] = set()

    def start(queue: str) -> Worker:
        queues.add(queue)
        get_broker(queue).purge_queue()
        number = len(workers)
        cwd = tmp_path / f"worker-{number}"
        cwd.mkdir()
        log_path = tmp_path / f"worker-{number}-{queue}.log"
        with log_path.open("w") as log:
            process = subprocess.Popen(
                [sys.executable, str(ROOT / "manage.py"), "qcluster"],
                cwd=cwd,
                env=worker_environment(storage_root, queue),
                start_new_session=True,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        worker = Worker(queue, process, log_path, cwd)
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.kill()
    # Redis outlives the test database: leave no job for the next test.
    for queue in queues:
        get_broker(queue).purge_queue()


def wait_for(read: Callable, done: Callable, timeout: float = 300):
    """Read until done(value) holds; the last value, or AssertionError."""
    deadline = time.monotonic() + timeout
    while True:
        value = read()
        if done(value):
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"Still {value!r} after {timeout} s")
        time.sleep(0.5)


def new_flood_dataset(user):
    """The sample Sen1Floods11 dataset's rows, not yet onboarded."""
    from datasets.sample import new_sample_dataset

    dataset = new_sample_dataset(owner=user, name="Sen1Floods11 S1")
    return dataset

"""Shared test personas and a storage root of the test's own."""

import os
import signal
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest

ROOT = Path(__file__).resolve().parent
SHARED_DATA = Path(__file__).resolve().parent.parent / "shared" / "data"


@pytest.fixture(scope="session")
def django_db_modify_db_settings(tmp_path_factory):
    """A test database file of this run's own, so that runs side by side and
    worker processes started by tests each find the right one."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        folder = tmp_path_factory.mktemp("database")
        database.setdefault("TEST", {})["NAME"] = str(folder / "test.sqlite3")


@pytest.fixture(autouse=True)
def storage_root(tmp_path, settings):
    """Every test writes datasets, tunes and logs under its own folder."""
    settings.STORAGE_ROOT = tmp_path / "storage"
    settings.STORAGE_ROOT.mkdir()
    # A tune trained inside a test holds the test's transaction open, which a
    # heartbeat from another thread would wait on; worker tests set their own.
    settings.TUNE_HEARTBEAT_SECONDS = 3600
    return settings.STORAGE_ROOT


@pytest.fixture
def user(django_user_model):
    return django_user_model.objects.create_user("alice", password="alice-pass-123")


@pytest.fixture
def other_user(django_user_model):
    return django_user_model.objects.create_user("bob", password="bob-pass-123")


@pytest.fixture
def staff_user(django_user_model):
    return django_user_model.objects.create_user(
        "carol", password="carol-pass-123", is_staff=True, is_superuser=True
    )


@pytest.fixture
def signed_in(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def flood_dataset(db, user):
    """The real Sen1Floods11 chips, onboarded as the user's dataset."""
    from datasets.models import Dataset
    from datasets.onboarding import onboard_dataset
    from datasets.sample import new_sample_dataset

    dataset = new_sample_dataset(owner=user, name="Sen1Floods11 S1")
    onboard_dataset(dataset.pk, str(SHARED_DATA / "sen1floods11"))
    dataset.refresh_from_db()
    assert dataset.status == Dataset.Status.READY, dataset.status_message
    return dataset


@pytest.fixture
def start_worker(storage_root):
    """Start `manage.py qcluster` on the test database; kill it afterwards."""
    workers = []

    from django.conf import settings

    def start() -> subprocess.Popen:
        env = worker_environment(storage_root, settings.Q_CLUSTER["name"])
        log = (storage_root / f"worker-{len(workers)}.log").open("w")
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "qcluster"],
            cwd=ROOT,
            env=env,
            start_new_session=True,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        _kill_worker(worker)


@pytest.fixture
def kill_worker():
    return _kill_worker


@pytest.fixture
def shared_data() -> Path:
    """The real imagery of ../shared/data (see its README)."""
    return SHARED_DATA


def _kill_worker(worker: subprocess.Popen) -> None:
    """Kill a worker and every process it started, as an out-of-memory kill would."""
    if worker.poll() is None:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)


def worker_environment(storage_root: Path, queue: str) -> dict[str, str]:
    """The environment of a worker on this test's database, broker and storage."""
    from django.conf import settings
    from django.db import connection

    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"STUDIO_DATABASE_URL", "STUDIO_DATABASE_PATH"}
    }
    if connection.vendor == "postgresql":
        env["STUDIO_DATABASE_URL"] = database_url(connection.settings_dict)
    else:
        env["STUDIO_DATABASE_PATH"] = str(connection.settings_dict["NAME"])
    env.update(
        STUDIO_STORAGE_ROOT=str(storage_root),
        # Queued jobs are signed with the secret key.
        STUDIO_SECRET_KEY=settings.SECRET_KEY,
        STUDIO_WORKER_QUEUE=queue,
        STUDIO_TUNE_HEARTBEAT_SECONDS="1",
        # Distributed training, where a test asks for it, meets on loopback.
        MASTER_ADDR="127.0.0.1",
    )
    return env


def database_url(database: dict) -> str:
    user = quote(database["USER"], safe="")
    password = quote(database["PASSWORD"], safe="")
    host = database["HOST"] or "127.0.0.1"
    port = database["PORT"] or "5432"
    return f"postgres://{user}:{password}@{host}:{port}/{quote(database['NAME'])}"

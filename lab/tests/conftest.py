import pytest
from django.core.management import call_command
from django_q.conf import Conf

from .helpers import make_finished_tune


@pytest.fixture(scope="session")
def checkpoints(tmp_path_factory):
    return tmp_path_factory.mktemp("checkpoints")


@pytest.fixture
def finished_tune(user, flood_dataset, checkpoints):
    return make_finished_tune(user, flood_dataset, checkpoints, name="Flood tune")


@pytest.fixture
def sample_scenes(db):
    call_command("seed_sample_scenes")


@pytest.fixture
def sync_jobs(monkeypatch):
    """django-q2 runs queued jobs in this process, as soon as they are queued."""
    monkeypatch.setattr(Conf, "SYNC", True)


@pytest.fixture
def finished_run(user, finished_tune, sample_scenes):
    from .helpers import finish_run

    return finish_run(user, finished_tune)

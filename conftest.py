"""Shared test personas and a storage root of the test's own."""

from pathlib import Path

import pytest

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
    from datasets.models import Band, Dataset, LabelCategory
    from datasets.onboarding import onboard_dataset

    dataset = Dataset.objects.create(
        owner=user,
        name="Sen1Floods11 S1",
        image_suffix="_S1Hand.tif",
        label_suffix="_LabelHand.tif",
        label_nodata=-1,
    )
    Band.objects.create(dataset=dataset, index=0, name="VV")
    Band.objects.create(dataset=dataset, index=1, name="VH")
    LabelCategory.objects.create(dataset=dataset, value=0, name="dry")
    LabelCategory.objects.create(
        dataset=dataset, value=1, name="water", colour="#1f78b4"
    )
    onboard_dataset(dataset.pk, str(SHARED_DATA / "sen1floods11"))
    dataset.refresh_from_db()
    assert dataset.status == Dataset.Status.READY, dataset.status_message
    return dataset

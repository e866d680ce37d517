"""Shared test personas and a storage root of the test's own."""

from pathlib import Path

import pytest

SHARED_DATA = Path(__file__).resolve().parent.parent / "shared" / "data"


@pytest.fixture(autouse=True)
def storage_root(tmp_path, settings):
    """Every test writes datasets, tunes and logs under its own folder."""
    settings.STORAGE_ROOT = tmp_path / "storage"
    settings.STORAGE_ROOT.mkdir()
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

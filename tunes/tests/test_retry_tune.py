import pytest
from django.urls import reverse

from tunes.models import Tune

from .factories import make_tune

pytestmark = pytest.mark.django_db


class TestRetryTune:
    def test_it_queues_a_failed_tune_from_scratch(
        self, signed_in, user, django_capture_on_commit_callbacks
    ):
        tune = make_tune(user, status=Tune.Status.FAILED, epoch=3, max_epochs=20)
        tune.metrics.create(epoch=0, split="train", name="loss", value=1.0)
        tune.folder.mkdir(parents=True)
        tune.checkpoint_path.parent.mkdir()
        tune.checkpoint_path.write_bytes(b"old")

        with django_capture_on_commit_callbacks() as enqueued:
            response = signed_in.post(reverse("tunes:retry_tune", args=[tune.pk]))

        assert response.url == tune.get_absolute_url()
        tune.refresh_from_db()
        assert tune.status == Tune.Status.QUEUED
        assert tune.epoch == 0
        assert not tune.metrics.exists()
        assert not tune.checkpoint_path.exists()
        assert len(enqueued) == 1
        assert list(tune.events.values_list("status", flat=True)) == [
            "pending",
            "queued",
        ]

    def test_it_refuses_a_finished_tune(self, signed_in, user):
        tune = make_tune(user, status=Tune.Status.FINISHED)
        signed_in.post(reverse("tunes:retry_tune", args=[tune.pk]))
        tune.refresh_from_db()
        assert tune.status == Tune.Status.FINISHED

    def test_it_checks_ownership(self, signed_in, other_user):
        tune = make_tune(other_user, status=Tune.Status.FAILED, shared=True)
        response = signed_in.post(reverse("tunes:retry_tune", args=[tune.pk]))
        assert response.status_code == 404

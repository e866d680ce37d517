import pytest
from django.urls import reverse

from tunes.models import Tune

from .factories import make_tune

pytestmark = pytest.mark.django_db


class TestCancelTune:
    def test_it_cancels_a_queued_tune(self, signed_in, user):
        tune = make_tune(user, status=Tune.Status.QUEUED)

        response = signed_in.post(reverse("tunes:cancel_tune", args=[tune.pk]))

        assert response.url == tune.get_absolute_url()
        tune.refresh_from_db()
        assert tune.status == Tune.Status.CANCELLED
        assert tune.finished is not None
        assert tune.events.get().status == Tune.Status.CANCELLED

    def test_it_leaves_a_finished_tune_alone(self, signed_in, user):
        tune = make_tune(user, status=Tune.Status.FINISHED)

        signed_in.post(reverse("tunes:cancel_tune", args=[tune.pk]))

        tune.refresh_from_db()
        assert tune.status == Tune.Status.FINISHED
        assert not tune.events.exists()

    def test_it_needs_a_post(self, signed_in, user):
        tune = make_tune(user, status=Tune.Status.QUEUED)
        response = signed_in.get(reverse("tunes:cancel_tune", args=[tune.pk]))
        assert response.status_code == 405

    def test_it_checks_ownership(self, signed_in, other_user):
        private = make_tune(other_user, status=Tune.Status.RUNNING)
        shared = make_tune(other_user, status=Tune.Status.RUNNING, shared=True)

        for tune in (private, shared):
            response = signed_in.post(reverse("tunes:cancel_tune", args=[tune.pk]))
            assert response.status_code == 404
            tune.refresh_from_db()
            assert tune.status == Tune.Status.RUNNING

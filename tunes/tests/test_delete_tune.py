import pytest
from django.urls import reverse

from tunes.models import Tune

from .factories import make_tune

pytestmark = pytest.mark.django_db


class TestDeleteTune:
    def test_it_asks_for_confirmation_first(self, signed_in, user):
        tune = make_tune(user, status=Tune.Status.RUNNING)

        response = signed_in.get(
            reverse("tunes:delete_tune", args=[tune.pk]), HTTP_HX_REQUEST="true"
        )

        html = response.content.decode()
        assert "will be cancelled first" in html
        assert "<html" not in html
        assert Tune.objects.filter(pk=tune.pk).exists()

    def test_it_cancels_then_removes_the_tune_and_its_files(self, signed_in, user):
        tune = make_tune(user, status=Tune.Status.RUNNING)
        tune.checkpoint_path.parent.mkdir(parents=True)
        tune.checkpoint_path.write_bytes(b"weights")
        tune.log_path.write_text("log")

        response = signed_in.post(
            reverse("tunes:delete_tune", args=[tune.pk]), HTTP_HX_REQUEST="true"
        )

        assert response["HX-Redirect"] == reverse("tunes:list_models")
        assert not Tune.objects.filter(pk=tune.pk).exists()
        assert not tune.folder.exists()
        page = signed_in.get(reverse("tunes:list_models")).content.decode()
        assert "was deleted" in page

    def test_it_checks_ownership(self, signed_in, other_user):
        tune = make_tune(other_user, shared=True)
        response = signed_in.post(reverse("tunes:delete_tune", args=[tune.pk]))
        assert response.status_code == 404
        assert Tune.objects.filter(pk=tune.pk).exists()

    def test_inference_runs_stay_in_history_without_their_tune(self, signed_in, user):
        from lab.models import InferenceRun
        from lab.tests.factories import make_run

        tune = make_tune(user, status=Tune.Status.FINISHED, name="Floods v1")
        run = make_run(user, tune)

        signed_in.post(reverse("tunes:delete_tune", args=[tune.pk]))

        run = InferenceRun.objects.get(pk=run.pk)
        assert run.tune is None
        assert run.tune_name == "Floods v1"
        page = signed_in.get(run.get_absolute_url()).content.decode()
        assert "from a deleted tune" in page

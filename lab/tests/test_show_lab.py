import pytest
from django.urls import reverse

from .factories import make_run

pytestmark = pytest.mark.django_db


class TestShowLab:
    def test_it_lists_the_persons_runs_and_finished_tunes(
        self, signed_in, user, other_user, finished_tune, sample_scenes
    ):
        make_run(user, finished_tune, name="Mine")
        make_run(other_user, finished_tune, name="Not mine")

        response = signed_in.get(reverse("lab:show_lab"))

        html = response.content.decode()
        assert "Mine" in html and "Not mine" not in html
        assert reverse("lab:show_tune_lab", args=[finished_tune.pk]) in html

    def test_it_needs_sign_in(self, client):
        response = client.get(reverse("lab:show_lab"))

        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))

    def test_a_deleted_runs_files_go_too(
        self, finished_run, django_capture_on_commit_callbacks
    ):
        folder = finished_run.folder
        assert (folder / "prediction.tif").is_file()

        with django_capture_on_commit_callbacks(execute=True):
            finished_run.delete()

        assert not folder.exists()

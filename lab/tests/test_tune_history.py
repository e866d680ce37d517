import pytest
from django.urls import reverse

from lab.models import InferenceRun

from .factories import make_run

pytestmark = pytest.mark.django_db


class TestTuneHistory:
    def test_the_model_page_lists_the_tunes_runs(
        self, signed_in, user, other_user, finished_tune, sample_scenes
    ):
        done = make_run(user, finished_tune, name="Niger in 2019", status="finished")
        make_run(user, finished_tune, name="Second look", status="failed")
        make_run(other_user, finished_tune, name="Bob's run")

        page = signed_in.get(reverse("tunes:show_tune", args=[finished_tune.pk]))

        html = page.content.decode()
        assert "<h2>History</h2>" in html
        assert html.index("Second look") < html.index("Niger in 2019")
        assert reverse("lab:show_run", args=[done.pk]) in html
        assert "5.7952, 9.0608, 5.8412, 9.1068" in html
        assert "2018-06-01 to 2019-06-01" in html
        assert "Failed" in html
        assert "Bob&#x27;s run" not in html and "Bob's run" not in html
        # Every run is final: the table does not poll.
        assert reverse("lab:show_tune_history", args=[finished_tune.pk]) not in html

    def test_it_polls_while_a_run_is_unfinished(
        self, signed_in, user, finished_tune, sample_scenes
    ):
        run = make_run(user, finished_tune)
        url = reverse("lab:show_tune_history", args=[finished_tune.pk])

        page = signed_in.get(reverse("tunes:show_tune", args=[finished_tune.pk]))
        assert f'hx-get="{url}"' in page.content.decode()
        assert signed_in.get(url).status_code == 200

        InferenceRun.objects.filter(pk=run.pk).update(status="finished")
        response = signed_in.get(url)
        assert response.status_code == 286
        assert b"Finished" in response.content

    def test_an_unfinished_tune_has_no_try_in_lab_button(
        self, signed_in, finished_tune
    ):
        url = reverse("tunes:show_tune", args=[finished_tune.pk])
        assert b"Try in Lab</a>" in signed_in.get(url).content

        finished_tune.status = "running"
        finished_tune.save()
        assert b"Try in Lab</a>" not in signed_in.get(url).content

    def test_runs_of_a_deleted_tune_stay_in_the_lab_history(
        self, signed_in, user, finished_tune, sample_scenes
    ):
        run = make_run(user, finished_tune, status="finished")

        finished_tune.delete()

        run.refresh_from_db()
        assert run.tune is None
        page = signed_in.get(reverse("lab:show_lab"))
        assert b"Flood tune" in page.content
        assert b"from a deleted tune" in page.content

    def test_it_checks_ownership(self, client, other_user, finished_tune):
        client.force_login(other_user)
        url = reverse("lab:show_tune_history", args=[finished_tune.pk])

        assert client.get(url).status_code == 404

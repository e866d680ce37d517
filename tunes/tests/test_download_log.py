import pytest
from django.urls import reverse

from .factories import make_tune

pytestmark = pytest.mark.django_db


class TestDownloadLog:
    def test_it_downloads_the_log(self, signed_in, user):
        tune = make_tune(user, status="failed")
        tune.folder.mkdir(parents=True)
        tune.log_path.write_text("ERROR tunes.jobs: Tune 1 failed: out of memory\n")

        response = signed_in.get(reverse("tunes:download_log", args=[tune.pk]))

        assert response.status_code == 200
        assert "attachment" in response["Content-Disposition"]
        assert b"out of memory" in b"".join(response.streaming_content)

    def test_it_is_404_without_a_log(self, signed_in, user):
        tune = make_tune(user)
        response = signed_in.get(reverse("tunes:download_log", args=[tune.pk]))
        assert response.status_code == 404

    def test_it_checks_ownership(self, signed_in, other_user):
        tune = make_tune(other_user)
        tune.folder.mkdir(parents=True)
        tune.log_path.write_text("secret")
        response = signed_in.get(reverse("tunes:download_log", args=[tune.pk]))
        assert response.status_code == 404

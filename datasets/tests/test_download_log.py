import pytest
from django.urls import reverse

from .helpers import SEN1FLOODS11, make_dataset, onboarded

pytestmark = pytest.mark.django_db


def _url(dataset):
    return reverse("datasets:download_log", args=[dataset.pk])


class TestDownloadLog:
    def test_it_downloads_the_log(self, signed_in):
        dataset = onboarded(make_dataset(), SEN1FLOODS11)

        response = signed_in.get(_url(dataset))

        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment")
        log = b"".join(response.streaming_content).decode()
        assert "Paraguay_34417: excluded" in log

    def test_it_answers_404_without_a_log(self, signed_in):
        assert signed_in.get(_url(make_dataset())).status_code == 404

    def test_it_checks_ownership(self, signed_in, other_user):
        dataset = onboarded(make_dataset(owner=other_user, shared=False), SEN1FLOODS11)

        assert signed_in.get(_url(dataset)).status_code == 404

import pytest
from django.urls import reverse

from .helpers import SEN1FLOODS11, make_dataset, onboarded

pytestmark = pytest.mark.django_db


class TestListDatasets:
    def test_it_lists_own_and_shared_datasets(self, signed_in, user, other_user):
        onboarded(make_dataset(name="Shared floods", shared=True), SEN1FLOODS11)
        make_dataset(name="Mine", shared=False, owner=user)
        make_dataset(name="Bob's secret", shared=False, owner=other_user)

        response = signed_in.get(reverse("datasets:list_datasets"))

        assert response.status_code == 200
        content = response.content.decode()
        assert "Shared floods" in content and "Mine" in content
        assert "Bob&#x27;s secret" not in content and "Bob's secret" not in content
        assert "status-ready" in content and "status-pending" in content
        assert "train 7 · val 1 · test 1 · 2 excluded" in content

    def test_it_needs_a_signed_in_user(self, client):
        response = client.get(reverse("datasets:list_datasets"))

        assert response.status_code == 302
        assert reverse("login") in response["Location"]

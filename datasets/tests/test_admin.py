import pytest
from django.urls import reverse

from .helpers import SEN1FLOODS11, make_dataset, onboarded

pytestmark = pytest.mark.django_db


class TestAdmin:
    def test_the_dataset_and_chip_pages_work(self, client, staff_user):
        dataset = onboarded(make_dataset(), SEN1FLOODS11)
        client.force_login(staff_user)

        for url in [
            reverse("admin:datasets_dataset_changelist") + "?status=ready&q=Floods",
            reverse("admin:datasets_dataset_change", args=[dataset.pk]),
            reverse("admin:datasets_chip_changelist") + "?split=excluded",
        ]:
            response = client.get(url)
            assert response.status_code == 200, url
        assert "Paraguay_34417" in response.content.decode()

import zipfile

import pytest
import rasterio
from django.urls import reverse

from datasets.models import Dataset

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

    def test_onboard_again_reads_the_unpacked_chips_of_an_upload(
        self,
        client,
        staff_user,
        tmp_path,
        monkeypatch,
        django_capture_on_commit_callbacks,
    ):
        from django_q.conf import Conf

        archive = tmp_path / "chips.zip"
        with zipfile.ZipFile(archive, "w") as zipped:
            for folder in ("S1Hand", "LabelHand"):
                for chip in sorted((SEN1FLOODS11 / folder).glob("*.tif"))[:4]:
                    zipped.write(chip, f"{folder}/{chip.name}")
        dataset = onboarded(make_dataset(), archive)
        archive.unlink()  # as an uploaded archive is, once unpacked
        dataset.bands.filter(index=0).update(scaling_factor=2.0)
        monkeypatch.setattr(Conf, "SYNC", True)
        client.force_login(staff_user)

        with django_capture_on_commit_callbacks(execute=True):
            client.post(
                reverse("admin:datasets_dataset_changelist"),
                {"action": "onboard_again", "_selected_action": [dataset.pk]},
            )

        dataset.refresh_from_db()
        assert dataset.status == Dataset.Status.READY, dataset.status_message
        band = dataset.bands.get(index=0)
        first = dataset.chips.filter(split="train").first().chip_id
        with rasterio.open(dataset.prepared_image(first)) as prepared:
            assert band.mean < -15  # twice the dB values of about -10
            assert prepared.read(1).mean() < -15

    def test_onboard_again_refuses_a_dataset_a_tune_trains_on(
        self, client, staff_user, user
    ):
        from tunes.tests.factories import make_tune

        dataset = onboarded(make_dataset(), SEN1FLOODS11)
        make_tune(user, dataset=dataset, status="running")
        client.force_login(staff_user)

        response = client.post(
            reverse("admin:datasets_dataset_changelist"),
            {"action": "onboard_again", "_selected_action": [dataset.pk]},
            follow=True,
        )

        assert "a tune is training on it" in response.content.decode()
        dataset.refresh_from_db()
        assert dataset.status == Dataset.Status.READY

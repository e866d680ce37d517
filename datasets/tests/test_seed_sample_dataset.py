import pytest
from django.core.management import CommandError, call_command

from datasets.models import Chip, Dataset

pytestmark = pytest.mark.django_db


class TestSeedSampleDataset:
    def test_it_creates_and_onboards_the_sample(self):
        call_command("seed_sample_dataset")

        dataset = Dataset.objects.get()
        assert dataset.name == "Sen1Floods11 flood chips (Sentinel-1)"
        assert dataset.shared and dataset.owner is None
        assert dataset.status == Dataset.Status.READY
        assert [band.name for band in dataset.bands.all()] == ["VV", "VH"]
        assert list(dataset.label_categories.values_list("value", "name")) == [
            (0, "dry"),
            (1, "water"),
        ]
        assert "Bonafilia" in dataset.attribution
        assert dataset.chips.filter(split=Chip.Split.EXCLUDED).count() == 2

    def test_a_second_run_does_nothing(self, capsys):
        call_command("seed_sample_dataset")
        onboarded = Dataset.objects.get().onboarded

        call_command("seed_sample_dataset")

        assert Dataset.objects.get().onboarded == onboarded
        assert "nothing to do" in capsys.readouterr().out

    def test_it_fails_without_the_sample_data(self, settings, tmp_path):
        settings.SAMPLE_DATA_DIR = tmp_path

        with pytest.raises(CommandError, match="sample data folder"):
            call_command("seed_sample_dataset")
        assert not Dataset.objects.exists()

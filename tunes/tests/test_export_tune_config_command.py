import zipfile

import pytest
import yaml
from django.core.management import CommandError, call_command

from .factories import make_tune

pytestmark = pytest.mark.django_db


class TestExportTuneConfigCommand:
    def test_it_writes_the_config_and_splits(self, tmp_path, user, flood_dataset):
        tune = make_tune(user, dataset=flood_dataset)
        output = tmp_path / "export.zip"

        call_command("export_tune_config", str(tune.pk), "--output", str(output))

        with zipfile.ZipFile(output) as archive:
            config = yaml.safe_load(archive.read("config.yaml"))
            train = archive.read("splits/train.txt").decode().split()
        data = config["data"]["init_args"]
        assert data["train_split"] == "splits/train.txt"
        assert sorted(train) == sorted(
            flood_dataset.chips.filter(split="train").values_list("chip_id", flat=True)
        )
        assert config["model"]["init_args"]["model_args"]["backbone"] == "timm_resnet18"

    def test_it_rejects_an_unknown_tune(self):
        with pytest.raises(CommandError, match="No tune 999"):
            call_command("export_tune_config", "999")

    def test_it_rejects_a_missing_folder(self, user):
        tune = make_tune(user)
        with pytest.raises(CommandError, match="does not exist"):
            call_command(
                "export_tune_config", str(tune.pk), "--output", "/no/such/dir/x.zip"
            )

"""A tune's exported config trains the same model with TerraTorch's own CLI."""

import io
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import torch
import yaml

from tunes.export import config_archive, export_config

from .factories import HLS, make_hls_dataset, make_tune, make_tune_of, train_tiny_tune

pytestmark = pytest.mark.django_db

TERRATORCH = Path(sys.executable).parent / "terratorch"


class TestExportConfig:
    def test_it_names_bands_and_keeps_paths_runnable(self, user):
        tune = make_tune_of("Prithvi_EO_V1_100M", user, make_hls_dataset(user))

        config = export_config(tune)

        model_args = config["model"]["init_args"]["model_args"]
        assert model_args["backbone"] == "prithvi_eo_v1_100"
        assert model_args["backbone_bands"] == HLS
        assert model_args["backbone_pretrained"] is False
        data_args = config["data"]["init_args"]
        assert data_args["train_split"] == "splits/train.txt"
        assert data_args["train_data_root"] == str(tune.dataset.images_dir)
        assert config["trainer"]["default_root_dir"] == "output"
        checkpoint = config["trainer"]["callbacks"][0]
        assert checkpoint["init_args"]["dirpath"] == "output/checkpoints"
        assert config["seed_everything"] == tune.parameters["seed"]

    def test_it_exports_the_weights_the_tune_started_from(self, user, tmp_path):
        weights = tmp_path / "resnet18.safetensors"
        tune = make_tune(user, weights_source=f"local file {weights}")

        model_args = export_config(tune)["model"]["init_args"]["model_args"]

        assert model_args["backbone_pretrained"] is True
        assert model_args["backbone_pretrained_cfg_overlay"] == {"file": str(weights)}

    @pytest.mark.slow
    def test_terratorch_fit_trains_the_same_model(self, user, flood_dataset, tmp_path):
        tune = train_tiny_tune(user, flood_dataset, name="Exported flood tune")

        with zipfile.ZipFile(io.BytesIO(config_archive(tune))) as archive:
            archive.extractall(tmp_path)
        for split in ("train", "val", "test"):
            assert (tmp_path / "splits" / f"{split}.txt").read_text() == (
                flood_dataset.split_file(split).read_text()
            )
        result = subprocess.run(
            [str(TERRATORCH), "fit", "--config", "config.yaml"],
            cwd=tmp_path,
            env={**os.environ, "HF_HUB_OFFLINE": "1"},
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert result.returncode == 0, result.stderr[-3000:]

        theirs = torch.load(
            tmp_path / "output" / "checkpoints" / "best.ckpt",
            map_location="cpu",
            weights_only=False,
        )
        ours = torch.load(tune.checkpoint_path, map_location="cpu", weights_only=False)
        assert {key: value.shape for key, value in theirs["state_dict"].items()} == {
            key: value.shape for key, value in ours["state_dict"].items()
        }
        for key in ("model_args", "loss", "lr", "optimizer", "ignore_index"):
            assert theirs["hyper_parameters"][key] == ours["hyper_parameters"][key]
        # The config LightningCLI parsed and saved beside its logs: the same
        # prepared chips, splits and normalisation.
        parsed = yaml.safe_load(
            next((tmp_path / "output").rglob("config.yaml")).read_text()
        )["data"]["init_args"]
        exported = yaml.safe_load((tmp_path / "config.yaml").read_text())["data"][
            "init_args"
        ]
        for key in ("train_data_root", "train_label_data_root", "val_split", "means"):
            assert parsed[key] == exported[key], key
        assert exported["train_data_root"] == str(flood_dataset.images_dir)

"""The TerraTorch settings each backbone family gets, without building anything."""

import pytest

from datasets.models import Band
from tunes import configs
from tunes.weights import CACHE, LOCAL, NONE, Weights

from .factories import HLS, make_dataset, make_hls_dataset, make_tune_of

pytestmark = pytest.mark.django_db
RANDOM = Weights(NONE, detail="test")


def _model_args(tune, weights=RANDOM):
    return configs.render(tune, weights)["model"]["init_args"]["model_args"]


class TestConfigs:
    def test_prithvi_gets_hls_band_names_and_its_layers(self, user):
        dataset = make_hls_dataset(user)
        for name, indices in [
            ("Prithvi_EO_V1_100M", [2, 5, 8, 11]),
            ("Prithvi_EO_V2_300M", [5, 11, 17, 23]),
            ("Prithvi_EO_V2_600M_TL", [7, 15, 23, 31]),
        ]:
            args = _model_args(make_tune_of(name, user, dataset))
            assert args["backbone_bands"] == HLS, name
            assert args["necks"][0] == {"name": "SelectIndices", "indices": indices}
            assert args["necks"][1]["remove_cls_token"] is True
            assert "decoder_scale_modules" not in args

    def test_a_renamed_band_maps_by_its_native_name(self, user):
        dataset = make_dataset(user)  # bands VV, VH
        Band.objects.filter(dataset=dataset, index=0).update(name="B04")
        Band.objects.filter(dataset=dataset, index=1).update(name="nir")
        tune = make_tune_of("Prithvi_EO_V2_300M", user, dataset)

        assert [band["native"] for band in tune.bands] == ["RED", "NIR_NARROW"]
        assert _model_args(tune)["backbone_bands"] == ["RED", "NIR_NARROW"]

    def test_terramind_gets_one_modality_and_keeps_every_token(self, user):
        optical = make_tune_of("terramind_v1_base", user, make_hls_dataset(user))
        radar = make_tune_of("terramind_v1_large", user, make_dataset(user))

        args = _model_args(optical)
        assert args["backbone_modalities"] == ["S2L2A"]
        assert args["backbone_bands"] == {"S2L2A": HLS}
        assert args["necks"][1]["remove_cls_token"] is False
        args = _model_args(radar)
        assert args["backbone_modalities"] == ["S1GRD"]
        assert args["backbone_bands"] == {"S1GRD": ["VV", "VH"]}
        assert args["necks"][0]["indices"] == [5, 11, 17, 23]

    def test_clay_gets_its_band_names_a_fixed_grid_and_tiles(self, user):
        dataset = make_hls_dataset(user, chip_size=100)
        tune = make_tune_of("clay_v1_base", user, dataset, crop_size=40)

        config = configs.render(tune, RANDOM)

        args = config["model"]["init_args"]["model_args"]
        assert args["backbone_bands"] == [
            "blue", "green", "red", "nir08", "swir16", "swir22"
        ]  # fmt: skip
        assert args["backbone_img_size"] == 48  # 40 padded to whole pairs of patches
        task = config["model"]["init_args"]
        assert task["tiled_inference_on_validation"] is True
        assert task["tiled_inference_parameters"]["crop"] == 40
        crop = config["data"]["init_args"]["train_transform"][0]
        assert crop == {
            "class_path": "albumentations.RandomCrop",
            "init_args": {"height": 40, "width": 40},
        }

    def test_cnns_take_any_bands_by_count(self, user):
        dataset = make_dataset(user)
        for name, channels in [
            ("timm_resnet50", [256, 128, 64, 32, 16]),
            ("timm_convnext_xlarge.fb_in22k", [512, 256, 128, 64]),
        ]:
            args = _model_args(make_tune_of(name, user, dataset))
            assert args["backbone"] == name
            assert args["backbone_in_chans"] == 2
            assert args["decoder_channels"] == channels
            assert "backbone_bands" not in args

    def test_weights_reach_each_family_its_own_way(self, user, tmp_path):
        path = str(tmp_path / "weights.pt")
        dataset = make_hls_dataset(user)
        prithvi = _model_args(
            make_tune_of("Prithvi_EO_V1_100M", user, dataset), Weights(LOCAL, path)
        )
        assert (prithvi["backbone_pretrained"], prithvi["backbone_ckpt_path"]) == (
            True,
            path,
        )
        clay = _model_args(
            make_tune_of("clay_v1_base", user, dataset), Weights(CACHE, path)
        )
        # Clay's pretrained flag downloads: a file goes through its checkpoint.
        assert (clay["backbone_pretrained"], clay["backbone_ckpt_path"]) == (
            False,
            path,
        )
        resnet = _model_args(
            make_tune_of("timm_resnet18", user, dataset), Weights(LOCAL, path)
        )
        assert resnet["backbone_pretrained"] is True
        assert resnet["backbone_pretrained_cfg_overlay"] == {"file": path}

    def test_a_tune_saved_without_a_mapping_maps_by_name(self, user):
        tune = make_tune_of("Prithvi_EO_V1_100M", user, make_hls_dataset(user))
        for band in tune.bands:
            del band["native"]
        assert _model_args(tune)["backbone_bands"] == HLS

        tune.bands[0]["name"] = "Mystery"
        with pytest.raises(ValueError, match="Band Mystery maps to no band"):
            _model_args(tune)

import copy
import json

import pytest
import torch
from django.urls import reverse

from tunes.export import export_config
from tunes.jobs import run_tune
from tunes.models import Backbone, Tune

from .factories import HLS, make_dataset, make_hls_dataset, make_tune, make_tune_of

pytestmark = pytest.mark.django_db
URL = reverse("api:create_tune")


def _post(client, body, **query):
    url = URL + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")
    return client.post(url, json.dumps(body), content_type="application/json")


def _hls_dataset(user):
    dataset = make_hls_dataset(user)
    for chip_id in "abcd":
        dataset.chips.create(chip_id=chip_id, split="train")
    return dataset


def _template_body(dataset, **overrides):
    return {
        "name": "Water from the API",
        "template": "segmentation",
        "backbone": "Prithvi_EO_V1_100M",
        "dataset": dataset.pk,
        "parameters": {"max_epochs": 3, "lr": 0.001},
        **overrides,
    }


class TestCreateTuneApi:
    def test_it_creates_and_queues_a_tune_from_a_template(
        self, signed_in, user, django_capture_on_commit_callbacks
    ):
        dataset = _hls_dataset(user)

        with django_capture_on_commit_callbacks() as enqueued:
            response = _post(signed_in, _template_body(dataset))

        assert response.status_code == 201, response.json()
        tune = Tune.objects.get()
        assert response.json()["id"] == tune.pk
        assert tune.owner == user
        assert tune.status == Tune.Status.QUEUED
        assert tune.parameters["max_epochs"] == 3
        assert tune.parameters["batch_size"] == 4  # the template's default
        assert [band["native"] for band in tune.bands] == HLS
        assert len(enqueued) == 1
        model_args = response.json()["config"]["model"]["init_args"]["model_args"]
        assert model_args["backbone_bands"] == HLS

    def test_a_dry_run_returns_the_config_and_saves_nothing(self, signed_in, user):
        dataset = _hls_dataset(user)
        bands = [{"index": 0, "use": False}]

        response = _post(signed_in, _template_body(dataset, bands=bands), dry_run=1)

        assert response.status_code == 200
        config = response.json()["config"]
        model_args = config["model"]["init_args"]["model_args"]
        assert model_args["backbone_bands"] == HLS[1:]
        assert config["data"]["init_args"]["output_bands"] == [1, 2, 3, 4, 5]
        assert config["trainer"]["max_epochs"] == 3
        assert not Tune.objects.exists()

    def test_bad_parameters_come_back_as_field_errors(self, signed_in, user):
        dataset = _hls_dataset(user)
        body = _template_body(
            dataset, parameters={"lr": "fast", "max_epochs": 0, "epochs": 2}
        )

        response = _post(signed_in, body)

        assert response.status_code == 400
        errors = response.json()["errors"]
        assert errors["parameters.lr"] == ["Give a number."]
        assert errors["parameters.max_epochs"] == [
            "Ensure this value is greater than or equal to 1."
        ]
        assert errors["parameters"] == ["Unknown parameters: epochs."]
        assert not Tune.objects.exists()

    def test_json_values_must_have_the_parameters_types(self, signed_in, user):
        dataset = _hls_dataset(user)
        body = _template_body(
            dataset,
            name=5,
            parameters={"lr": True, "flip": "no", "max_epochs": 2.5},
        )

        errors = _post(signed_in, body, dry_run=1).json()["errors"]
        assert errors == {"name": ["Give a string."]}

        body["name"] = "Typed"
        errors = _post(signed_in, body, dry_run=1).json()["errors"]
        assert errors == {
            "parameters.lr": ["Give a number."],
            "parameters.flip": ["Give true or false."],
            "parameters.max_epochs": ["Give a whole number."],
        }
        body["dataset"] = True
        assert _post(signed_in, body).json()["errors"] == {
            "dataset": ["Give a whole number."]
        }
        assert not Tune.objects.exists()

    def test_a_band_that_maps_to_nothing_is_a_field_error(self, signed_in, user):
        dataset = _hls_dataset(user)
        bands = [{"index": 0, "native": ""}, {"index": 1, "native": "VV"}]

        response = _post(signed_in, _template_body(dataset, bands=bands))

        assert response.status_code == 400
        errors = response.json()["errors"]
        assert "Choose the Prithvi_EO_V1_100M band" in errors["bands.0.native"][0]
        assert errors["bands.1.native"] == ["VV is not a band of Prithvi_EO_V1_100M."]

    def test_it_refuses_a_backbone_that_does_not_fit(self, signed_in, user):
        dataset = _hls_dataset(user)

        response = _post(
            signed_in, _template_body(dataset, backbone="timm_resnet18"), dry_run=1
        )

        assert response.status_code == 400
        assert "does not fit" in response.json()["errors"]["backbone"][0]

    def test_it_refuses_another_users_private_dataset(self, signed_in, other_user):
        private = _hls_dataset(other_user)

        response = _post(signed_in, _template_body(private), dry_run=1)

        assert response.status_code == 400
        assert "Select a valid choice" in response.json()["errors"]["dataset"][0]

    def test_it_answers_the_anonymous_with_401(self, client, user):
        response = _post(client, _template_body(_hls_dataset(user)))
        assert response.status_code == 401
        assert not Tune.objects.exists()

    def test_it_needs_json(self, signed_in):
        response = signed_in.post(URL, "name=x", content_type="text/plain")
        assert response.status_code == 400
        assert "not JSON" in response.json()["errors"]["__all__"][0]

    def test_it_creates_a_tune_from_a_custom_config(self, signed_in, user):
        dataset = make_dataset(user)
        config = export_config(make_tune(user, dataset=dataset))
        config["model"]["init_args"]["model_args"]["decoder"] = "FCNDecoder"
        config["model"]["init_args"]["model_args"]["decoder_channels"] = 128

        response = _post(
            signed_in, {"name": "Mine", "dataset": dataset.pk, "config": config}
        )

        assert response.status_code == 201, response.json()
        tune = Tune.objects.get(name="Mine")
        assert tune.backbone == Backbone.objects.get(name="timm_resnet18")
        assert tune.template.slug == "resnet-segmentation"
        stored = tune.custom_config
        assert stored["model"]["init_args"]["model_args"]["decoder"] == "FCNDecoder"
        # The dataset's paths are the studio's to fill in, at training time.
        assert "train_data_root" not in stored["data"]["init_args"]
        assert "default_root_dir" not in stored["trainer"]
        rendered = response.json()["config"]["data"]["init_args"]
        assert rendered["train_split"] == str(dataset.split_file("train"))

    def test_it_refuses_configs_that_reach_outside_the_studio(self, signed_in, user):
        dataset = make_dataset(user)
        good = export_config(make_tune(user, dataset=dataset))
        bad = copy.deepcopy(good)
        bad["model"]["init_args"]["model_args"]["backbone_ckpt_path"] = "/etc/passwd"
        bad["model"]["init_args"]["custom_loss"] = True
        bad["data"]["init_args"]["means"] = "/etc/means.txt"
        bad["trainer"]["callbacks"].append(
            {"class_path": "os.system", "init_args": {"command": "true"}}
        )
        bad["model"]["init_args"]["model_args"]["backbone"] = "timm_vit_huge"

        response = _post(
            signed_in, {"name": "Bad", "dataset": dataset.pk, "config": bad}
        )

        assert response.status_code == 400
        errors = " ".join(response.json()["errors"]["config"])
        for expected in (
            "backbone_ckpt_path",
            "custom_loss",
            "means must be a list",
            "os.system",
            "model_args.backbone must be",
        ):
            assert expected in errors, expected
        assert not Tune.objects.filter(name="Bad").exists()

    def test_a_custom_config_names_its_bands(self, signed_in, user):
        dataset = make_hls_dataset(user)
        prithvi = make_tune_of("Prithvi_EO_V1_100M", user, dataset)
        config = export_config(prithvi)
        config["model"]["init_args"]["model_args"]["backbone_bands"] = [0, 1, 2]

        response = _post(
            signed_in, {"name": "Indices", "dataset": dataset.pk, "config": config}
        )

        assert response.status_code == 400
        errors = " ".join(response.json()["errors"]["config"])
        assert "0, 1, 2 are not bands of Prithvi_EO_V1_100M" in errors
        assert "names 3 bands but the data has 6" in errors

    @pytest.mark.slow
    def test_the_worker_trains_a_custom_config(self, signed_in, user, flood_dataset):
        template_tune = make_tune(user, dataset=flood_dataset)
        template_tune.parameters.update(max_epochs=1, crop_size=64, batch_size=2)
        config = export_config(template_tune)
        config["optimizer"] = {
            "class_path": "torch.optim.SGD",
            "init_args": {"lr": 0.01, "momentum": 0.9},
        }
        body = {"name": "Custom floods", "dataset": flood_dataset.pk, "config": config}

        response = _post(signed_in, body)
        assert response.status_code == 201, response.json()
        tune = Tune.objects.get(name="Custom floods")
        run_tune(tune.pk)

        tune.refresh_from_db()
        assert tune.status == Tune.Status.FINISHED, tune.status_message
        assert tune.max_epochs == 1
        assert tune.metrics.filter(split="val", name="mIoU").count() == 1
        checkpoint = torch.load(
            tune.checkpoint_path, map_location="cpu", weights_only=False
        )
        assert checkpoint["hyper_parameters"]["optimizer"] == "SGD"
        assert checkpoint["hyper_parameters"]["lr"] == 0.01
        assert checkpoint["hyper_parameters"]["optimizer_hparams"] == {"momentum": 0.9}

    def test_the_documented_custom_config_renders_and_maps_its_bands(
        self, signed_in, regression_dataset
    ):
        # The example of docs/api.md, on a ten-band regression dataset.
        config = {
            "seed_everything": 0,
            "trainer": {"max_epochs": 5},
            "data": {
                "class_path": "terratorch.datamodules."
                "GenericNonGeoPixelwiseRegressionDataModule",
                "init_args": {
                    "batch_size": 2,
                    "num_workers": 0,
                    "dataset_bands": list(range(10)),
                    "output_bands": [1, 2, 3],
                },
            },
            "model": {
                "class_path": "terratorch.tasks.PixelwiseRegressionTask",
                "init_args": {
                    "model_factory": "EncoderDecoderFactory",
                    "loss": "mse",
                    "model_args": {
                        "backbone": "prithvi_eo_v1_100",
                        "backbone_bands": ["BLUE", "GREEN", "RED"],
                        "decoder": "UNetDecoder",
                        "decoder_channels": [512, 256, 128, 64],
                    },
                },
            },
            "optimizer": {"class_path": "torch.optim.AdamW", "init_args": {"lr": 1e-4}},
        }
        body = {"name": "Doc", "dataset": regression_dataset.pk, "config": config}

        response = _post(signed_in, body, dry_run=1)

        assert response.status_code == 200, response.json()
        rendered = response.json()["config"]
        data = rendered["data"]["init_args"]
        assert data["train_data_root"] == str(regression_dataset.images_dir)
        assert len(data["means"]) == 3
        task = rendered["model"]["init_args"]
        assert (task["optimizer"], task["lr"]) == ("AdamW", 1e-4)
        assert task["model_args"]["backbone_pretrained"] is False
        assert "optimizer" not in rendered
        assert not Tune.objects.exists()

        response = _post(signed_in, body)

        assert response.status_code == 201
        tune = Tune.objects.get(name="Doc")
        used = [(band["index"], band["native"]) for band in tune.bands if band["use"]]
        assert used == [(1, "BLUE"), (2, "GREEN"), (3, "RED")]

    def test_a_config_and_a_template_do_not_mix(self, signed_in, user):
        dataset = _hls_dataset(user)
        body = _template_body(dataset, config={"model": {}})

        response = _post(signed_in, body, dry_run=1)

        assert response.status_code == 400
        assert "not both" in response.json()["errors"]["config"][0]

    def test_malformed_configs_are_refused_not_crashed(self, signed_in, user):
        dataset = make_dataset(user)
        good = export_config(make_tune(user, dataset=dataset))
        broken = [
            [],
            {"data": [], "model": {}},
            {**good, "model": {"init_args": ["not", "a", "mapping"]}},
            {**good, "optimizer": "AdamW"},
            {**good, "data": {**good["data"], "init_args": {"output_bands": 3}}},
            {**good, "trainer": {"callbacks": {"class_path": "os.system"}}},
        ]
        for config in broken:
            response = _post(
                signed_in, {"name": "x", "dataset": dataset.pk, "config": config}
            )
            assert response.status_code == 400, config
            assert response.json()["errors"]["config"], config

    def test_a_post_needs_the_csrf_token(self, user):
        from django.test import Client

        client = Client(enforce_csrf_checks=True)
        client.force_login(user)
        response = _post(client, _template_body(_hls_dataset(user)))
        assert response.status_code == 403

        client.get(reverse("tunes:list_models"))  # sets the CSRF cookie
        token = client.cookies["csrftoken"].value
        response = client.post(
            URL + "?dry_run=1",
            json.dumps(_template_body(_hls_dataset(user))),
            content_type="application/json",
            HTTP_X_CSRFTOKEN=token,
        )
        assert response.status_code == 200

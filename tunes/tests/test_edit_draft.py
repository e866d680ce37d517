import re

import pytest
from django.urls import reverse

from datasets.models import Band
from tunes.models import Backbone, Template, Tune

from .factories import make_dataset

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def _url(step):
    return reverse("tunes:edit_draft", args=[step])


def _setup(client, **overrides):
    template = Template.objects.get(slug="resnet-segmentation")
    data = {
        "name": "Floods in Ghana",
        "description": "First try",
        "template": template.pk,
        "backbone": Backbone.objects.get(name="timm_resnet18").pk,
        **overrides,
    }
    return client.post(_url("setup"), data)


def _bands_post(dataset, **overrides):
    data = {
        "dataset": dataset.pk,
        "band-TOTAL_FORMS": "2",
        "band-INITIAL_FORMS": "2",
        "band-MIN_NUM_FORMS": "1",
        "band-MAX_NUM_FORMS": "1000",
    }
    for position, band in enumerate(dataset.bands.all()):
        data[f"band-{position}-index"] = band.index
        data[f"band-{position}-use"] = "on"
        data[f"band-{position}-name"] = band.name
        data[f"band-{position}-scaling_factor"] = band.scaling_factor
        data[f"band-{position}-rgb"] = ""
    data.update(overrides)
    return data


def _parameters_post(**overrides):
    template = Template.objects.get(slug="resnet-segmentation")
    data = {}
    for spec in template.parameters:
        if spec["type"] == "bool":
            if spec["default"]:
                data[spec["name"]] = "on"
        else:
            data[spec["name"]] = spec["default"]
    data.update(overrides)
    return data


class TestEditDraft:
    def test_it_walks_the_four_steps_and_queues_the_tune(
        self, signed_in, user, django_capture_on_commit_callbacks
    ):
        dataset = make_dataset(user)
        dataset.chips.create(chip_id="a", split="train")
        dataset.chips.create(chip_id="b", split="train")
        dataset.chips.create(chip_id="c", split="train")
        dataset.chips.create(chip_id="d", split="train")

        response = _setup(signed_in)
        assert response.status_code == 302
        assert response.url == _url("dataset")

        page = signed_in.get(_url("dataset")).content.decode()
        assert dataset.name in page
        response = signed_in.post(_url("dataset"), _bands_post(dataset))
        assert response.url == _url("parameters")

        page = signed_in.get(_url("parameters")).content.decode()
        for tab in ("Data", "Model", "Optimizer", "Runner"):
            assert f'data-tab="{tab.lower()}"' in page
        response = signed_in.post(_url("parameters"), _parameters_post(max_epochs=3))
        assert response.url == _url("review")

        page = signed_in.get(_url("review")).content.decode()
        assert "Floods in Ghana" in page and "timm_resnet18" in page

        with django_capture_on_commit_callbacks() as enqueued:
            response = signed_in.post(_url("review"))

        tune = Tune.objects.get()
        assert response.url == reverse("tunes:list_models")
        assert tune.status == Tune.Status.QUEUED
        assert tune.owner == user
        assert tune.parameters["max_epochs"] == 3
        assert [band["name"] for band in tune.bands] == ["VV", "VH"]
        assert len(enqueued) == 1
        page = signed_in.get(response.url).content.decode()
        assert "was submitted" in page

    def test_a_step_renders_only_the_wizard_for_htmx(self, signed_in):
        response = signed_in.get(_url("setup"), **HTMX)
        html = response.content.decode()
        assert 'id="wizard"' in html
        assert "<html" not in html
        assert "HX-Request" in response["Vary"]

    def test_it_offers_only_backbones_that_fit_the_template(self, signed_in):
        template = Template.objects.get(slug="regression")
        html = signed_in.get(_url("setup"), {"template": template.pk}).content.decode()
        assert "Prithvi_EO_V2_300M" in html
        assert "timm_resnet18" not in html

    def test_it_rejects_a_backbone_that_does_not_fit(self, signed_in):
        response = _setup(
            signed_in, backbone=Backbone.objects.get(name="clay_v1_base").pk
        )
        assert response.status_code == 200
        assert "Select a valid choice" in response.content.decode()

    def test_a_later_step_redirects_to_the_first_missing_one(self, signed_in):
        response = signed_in.get(_url("review"))
        assert response.url == _url("setup")

    def test_it_shows_field_errors_for_bad_parameters(self, signed_in, user):
        dataset = make_dataset(user)
        dataset.chips.create(chip_id="a", split="train")
        dataset.chips.create(chip_id="b", split="train")
        _setup(signed_in)
        signed_in.post(_url("dataset"), _bands_post(dataset))

        response = signed_in.post(
            _url("parameters"), _parameters_post(lr="fast", max_epochs=0, batch_size=8)
        )

        html = response.content.decode()
        assert response.status_code == 200
        assert "Enter a number." in html
        assert "Ensure this value is greater than or equal to 1." in html
        assert "The dataset has 2 training chips" in html

    def test_it_refuses_another_users_private_dataset(self, signed_in, other_user):
        private = make_dataset(other_user, name="Bob's chips")
        _setup(signed_in)
        html = signed_in.get(_url("dataset")).content.decode()
        assert "Bob&#x27;s chips" not in html
        response = signed_in.post(_url("dataset"), _bands_post(private))
        assert response.status_code == 200
        assert "Select a valid choice" in response.content.decode()

    def test_it_needs_one_band_in_use(self, signed_in, user):
        dataset = make_dataset(user)
        _setup(signed_in)
        data = _bands_post(dataset)
        del data["band-0-use"], data["band-1-use"]
        response = signed_in.post(_url("dataset"), data)
        assert "Use at least one band." in response.content.decode()

    def test_it_maps_the_bands_onto_the_backbones_own(self, signed_in, user):
        dataset = make_dataset(user)
        Band.objects.filter(dataset=dataset, index=0).update(name="B04")
        Band.objects.filter(dataset=dataset, index=1).update(name="B8A")
        _setup(signed_in, **_prithvi_setup())

        page = signed_in.get(_url("dataset"), {"dataset": dataset.pk}).content.decode()
        assert "Maps to" in page
        assert '<option value="RED" selected>RED</option>' in page
        assert '<option value="NIR_NARROW" selected>NIR_NARROW</option>' in page
        assert "checked" in _use_box(page, 0)

        # The person says the second band is SWIR 1 instead.
        data = _bands_post(
            dataset, **{"band-0-native": "RED", "band-1-native": "SWIR_1"}
        )
        response = signed_in.post(_url("dataset"), data)
        assert response.url == _url("parameters")
        draft = signed_in.session["tune_draft"]
        assert [band["native"] for band in draft["bands"]] == ["RED", "SWIR_1"]

    def test_a_band_that_maps_to_nothing_is_a_field_error(self, signed_in, user):
        dataset = make_dataset(user)  # VV and VH: not Prithvi's bands
        _setup(signed_in, **_prithvi_setup())

        page = signed_in.get(_url("dataset"), {"dataset": dataset.pk}).content.decode()
        # Unknown bands start left out rather than wrongly mapped.
        assert "checked" not in _use_box(page, 0)
        response = signed_in.post(_url("dataset"), _bands_post(dataset))

        html = response.content.decode()
        assert response.status_code == 200
        assert "Choose the Prithvi_EO_V1_100M band that VV is" in html
        assert "Choose the Prithvi_EO_V1_100M band that VH is" in html
        assert "tune_draft" not in signed_in.session or (
            "bands" not in signed_in.session["tune_draft"]
        )

    def test_two_bands_cannot_map_to_one(self, signed_in, user):
        dataset = make_dataset(user)
        _setup(signed_in, **_prithvi_setup())
        data = _bands_post(dataset, **{"band-0-native": "RED", "band-1-native": "RED"})

        response = signed_in.post(_url("dataset"), data)

        assert "VV already maps to RED." in response.content.decode()

    def test_terramind_takes_one_modality(self, signed_in, user):
        dataset = make_dataset(user)
        _setup(
            signed_in,
            template=Template.objects.get(slug="terramind-segmentation").pk,
            backbone=Backbone.objects.get(name="terramind_v1_base").pk,
        )
        page = signed_in.get(_url("dataset"), {"dataset": dataset.pk}).content.decode()
        assert '<option value="S1GRD:VV" selected>' in page

        data = _bands_post(
            dataset, **{"band-0-native": "S1GRD:VV", "band-1-native": "S2L2A:RED"}
        )
        response = signed_in.post(_url("dataset"), data)

        assert "one modality per tune" in response.content.decode()


def _prithvi_setup() -> dict:
    return {
        "template": Template.objects.get(slug="segmentation").pk,
        "backbone": Backbone.objects.get(name="Prithvi_EO_V1_100M").pk,
    }


def _use_box(page: str, position: int) -> str:
    return re.search(rf'<input[^>]*name="band-{position}-use"[^>]*>', page).group(0)


class TestChangingTheBackbone:
    def test_it_asks_for_the_band_mapping_again(self, signed_in, user):
        dataset = make_dataset(user)
        dataset.chips.create(chip_id="a", split="train")
        dataset.chips.create(chip_id="b", split="train")
        _setup(signed_in)
        signed_in.post(_url("dataset"), _bands_post(dataset))
        signed_in.post(_url("parameters"), _parameters_post())

        _setup(signed_in, backbone=Backbone.objects.get(name="timm_resnet34").pk)

        response = signed_in.get(_url("review"))
        assert response.url == _url("dataset")

"""Where a new tune's backbone weights come from; no test reaches a network."""

import shutil

import pytest
import torch
from django.utils import timezone
from huggingface_hub import constants
from safetensors.torch import load_file

from tunes import factory, weights
from tunes.jobs import queue_tune, run_tune
from tunes.models import Backbone, Tune
from tunes.weights import WeightsError, decide, recorded

from .factories import make_tune, train_tiny_tune

pytestmark = pytest.mark.django_db
REVISION = "0123456789abcdef0123456789abcdef01234567"


def _put_in_hub_cache(cache, repo_id: str, filename: str, source) -> str:
    """Lay a file out as huggingface_hub's cache does."""
    repo = cache / f"models--{repo_id.replace('/', '--')}"
    (repo / "refs").mkdir(parents=True)
    (repo / "refs" / "main").write_text(REVISION)
    target = repo / "snapshots" / REVISION / filename
    target.parent.mkdir(parents=True)
    shutil.copy(source, target)
    return str(target)


class TestWeights:
    def test_without_weights_a_tune_starts_from_random_initialisation(self):
        chosen = decide(Backbone.objects.get(name="Prithvi_EO_V1_100M"))
        assert chosen.kind == weights.NONE
        assert not chosen.pretrained
        assert chosen.source.startswith("none: random initialisation")

    def test_a_registered_file_wins(self, tmp_path):
        path = tmp_path / "prithvi.pt"
        path.write_bytes(b"checked at registration")
        backbone = Backbone.objects.get(name="Prithvi_EO_V1_100M")
        backbone.weights_path = str(path)

        chosen = decide(backbone)

        assert (chosen.kind, chosen.path) == (weights.LOCAL, str(path))
        assert chosen.source == f"local file {path}"
        assert recorded(chosen.source) == chosen

    def test_a_registered_file_that_failed_its_check_is_an_error(self, tmp_path):
        path = tmp_path / "prithvi.pt"
        path.write_bytes(b"not weights")
        backbone = Backbone.objects.get(name="Prithvi_EO_V1_100M")
        backbone.weights_path = str(path)
        backbone.weights_checked = timezone.now()
        backbone.weights_tensors_matched = 0
        backbone.weights_check_message = "it is not a weights file"
        with pytest.raises(WeightsError, match="did not load: it is not a weights"):
            decide(backbone)

    def test_a_registered_file_that_vanished_is_an_error(self, tmp_path):
        backbone = Backbone.objects.get(name="Prithvi_EO_V1_100M")
        backbone.weights_path = str(tmp_path / "gone.pt")
        with pytest.raises(WeightsError, match="is missing"):
            decide(backbone)

    def test_the_hugging_face_cache_serves_without_a_network(
        self, user, empty_hub_cache, resnet18_weights
    ):
        backbone = Backbone.objects.get(name="timm_resnet18")
        cached = _put_in_hub_cache(
            empty_hub_cache,
            backbone.hub_repo_id,
            backbone.hub_filename,
            resnet18_weights,
        )

        chosen = decide(backbone)

        assert (chosen.kind, chosen.path) == (weights.CACHE, cached)
        assert recorded(chosen.source) == chosen
        encoder = factory.build_task(make_tune(user), chosen).model.encoder
        assert torch.equal(
            encoder.state_dict()["layer4.1.conv2.weight"],
            load_file(cached)["layer4.1.conv2.weight"],
        )

    def test_the_hub_only_when_the_operator_allows_it(self, settings, monkeypatch):
        backbone = Backbone.objects.get(name="terramind_v1_base")
        settings.WEIGHTS_FROM_HUB = True

        chosen = decide(backbone)

        assert chosen.kind == weights.HUB
        assert chosen.pretrained and not chosen.path
        assert chosen.source == (
            "Hugging Face hub "
            "ibm-esa-geospatial/TerraMind-1.0-base/TerraMind_v1_base.pt"
        )
        monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
        assert decide(backbone).kind == weights.NONE

    @pytest.mark.slow
    def test_a_tune_records_its_weights_and_fails_when_they_vanish(
        self, user, flood_dataset, resnet18_weights
    ):
        Backbone.objects.filter(name="timm_resnet18").update(
            weights_path=str(resnet18_weights)
        )
        tune = train_tiny_tune(user, flood_dataset)
        assert tune.weights_source == f"local file {resnet18_weights}"

        resnet18_weights.unlink()
        again = make_tune(user, dataset=flood_dataset)
        queue_tune(again)
        run_tune(again.pk)
        again.refresh_from_db()
        assert again.status == Tune.Status.FAILED
        assert "is missing" in again.status_message

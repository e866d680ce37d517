import huggingface_hub
import pytest
import torch

from tunes import factory
from tunes.checkpoints import load_tuned_model
from tunes.models import Backbone
from tunes.weights import FOR_CHECKPOINT

from .factories import HLS, make_hls_dataset, make_tune, make_tune_of, train_tiny_tune

pytestmark = pytest.mark.django_db


def _no_network(*args, **kwargs):
    raise AssertionError("loading a checkpoint reached for the hub")


class TestLoadTunedModel:
    def test_it_rebuilds_prithvi_from_the_checkpoint_alone(
        self, user, settings, monkeypatch, tmp_path
    ):
        # Even where the hub is allowed and weights are registered, a
        # checkpoint needs neither.
        settings.WEIGHTS_FROM_HUB = True
        monkeypatch.setattr(huggingface_hub, "hf_hub_download", _no_network)
        Backbone.objects.filter(name="Prithvi_EO_V1_100M").update(
            weights_path=str(tmp_path / "not-there.pt")
        )
        tune = make_tune_of("Prithvi_EO_V1_100M", user, make_hls_dataset(user))
        trained = factory.build_task(tune, FOR_CHECKPOINT)
        tune.checkpoint_path.parent.mkdir(parents=True)
        torch.save({"state_dict": trained.state_dict()}, tune.checkpoint_path)

        model = load_tuned_model(tune)

        assert not model.training
        expected = trained.model.state_dict()
        for name, tensor in model.state_dict().items():
            assert tensor.device.type == "cpu"
            assert torch.equal(tensor, expected[name]), name
        with torch.no_grad():
            output = model(torch.randn(1, len(HLS), 40, 40)).output
        assert output.shape == (1, 2, 40, 40)

    def test_it_says_when_there_is_no_checkpoint(self, user):
        with pytest.raises(FileNotFoundError):
            load_tuned_model(make_tune(user))

    @pytest.mark.slow
    def test_it_loads_what_the_worker_trained(self, user, flood_dataset):
        tune = train_tiny_tune(user, flood_dataset)

        model = load_tuned_model(tune)

        saved = torch.load(tune.checkpoint_path, map_location="cpu", weights_only=False)
        for name, tensor in model.state_dict().items():
            assert torch.equal(tensor, saved["state_dict"][f"model.{name}"]), name
        with torch.no_grad():
            output = model(torch.randn(1, 2, 64, 64)).output
        assert output.shape == (1, 2, 64, 64)

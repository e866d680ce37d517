import pytest
import yaml
from django.core.management import CommandError, call_command

from tunes.checkpoints import load_tuned_model
from tunes.export import export_config
from tunes.models import Tune

from .factories import train_tiny_tune

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture
def elsewhere(tmp_path, user, flood_dataset):
    """A config and checkpoint as if tuned outside the studio."""
    tune = train_tiny_tune(user, flood_dataset, name="Trained elsewhere")
    config = export_config(tune)
    checkpoint = tmp_path / "model.ckpt"
    checkpoint.write_bytes(tune.checkpoint_path.read_bytes())
    tune.delete()
    return config, checkpoint


def _register(tmp_path, config, checkpoint, dataset, user):
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(config))
    call_command(
        "register_checkpoint",
        str(path),
        str(checkpoint),
        "--name",
        "Registered floods",
        "--dataset",
        str(dataset.pk),
        "--owner",
        user.username,
    )


class TestRegisterCheckpointCommand:
    def test_it_registers_a_finished_tune_that_loads(
        self, tmp_path, user, flood_dataset, elsewhere
    ):
        config, checkpoint = elsewhere

        _register(tmp_path, config, checkpoint, flood_dataset, user)

        tune = Tune.objects.get(name="Registered floods")
        assert tune.status == Tune.Status.FINISHED
        assert tune.backbone.name == "timm_resnet18"
        assert "tuned elsewhere" in tune.weights_source
        assert load_tuned_model(tune).training is False
        assert tune.events.get().message.startswith("Registered from")

    def test_it_refuses_a_checkpoint_of_another_model(
        self, tmp_path, user, flood_dataset, elsewhere
    ):
        config, checkpoint = elsewhere
        config["model"]["init_args"]["model_args"]["backbone"] = "timm_resnet34"

        with pytest.raises(CommandError, match="does not fit the model"):
            _register(tmp_path, config, checkpoint, flood_dataset, user)

        assert not Tune.objects.exists()

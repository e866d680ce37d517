import pytest
import torch
from django.core.management import CommandError, call_command
from django.core.management.base import CommandParser
from safetensors.torch import load_file

from tunes import factory
from tunes.management.commands.register_weights import Command
from tunes.models import Backbone
from tunes.weights import decide

from .factories import make_tune

pytestmark = pytest.mark.django_db


def _register(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command("register_weights", *args, stdout=out)
    return out.getvalue()


class TestRegisterWeights:
    def test_it_checks_and_registers_a_file_that_tunes_then_start_from(
        self, user, resnet18_weights
    ):
        output = _register("timm_resnet18", str(resnet18_weights))

        backbone = Backbone.objects.get(name="timm_resnet18")
        assert backbone.weights_path == str(resnet18_weights)
        assert backbone.weights_tensors_total > 0
        # Every tensor of the backbone came from the file: timm drops the
        # classifier, which the backbone does not have.
        assert backbone.weights_tensors_matched == backbone.weights_tensors_total
        assert backbone.weights_checked is not None
        assert f"{backbone.weights_tensors_matched} of" in output

        weights = decide(backbone)
        assert weights.source == f"local file {resnet18_weights}"
        tune = make_tune(user)  # two bands: timm adapts the first convolution
        encoder = factory.build_task(tune, weights).model.encoder
        saved = load_file(str(resnet18_weights))
        assert torch.equal(
            encoder.state_dict()["layer1.0.conv1.weight"],
            saved["layer1.0.conv1.weight"],
        )

    def test_it_reports_a_file_that_fills_part_of_the_backbone(self, resnet18_weights):
        output = _register("timm_resnet34", str(resnet18_weights))

        backbone = Backbone.objects.get(name="timm_resnet34")
        # ResNet-34's extra blocks find nothing of theirs in ResNet-18's file.
        assert 0 < backbone.weights_tensors_matched < backbone.weights_tensors_total
        assert "keep their random initialisation" in output

    def test_it_refuses_a_file_that_fills_nothing(self, resnet18_weights, tmp_path):
        with pytest.raises(CommandError, match="does not load into Prithvi"):
            _register("Prithvi_EO_V1_100M", str(resnet18_weights))
        with pytest.raises(CommandError, match="does not load into timm_convnext"):
            _register("timm_convnext_large.fb_in22k", str(resnet18_weights))
        # Clay skips what it does not know, so this one loads, uselessly.
        unrelated = tmp_path / "unrelated.ckpt"
        torch.save({"state_dict": {"model.other.weight": torch.ones(3, 3)}}, unrelated)
        with pytest.raises(CommandError, match="None of the tensors"):
            _register("clay_v1_base", str(unrelated))
        assert not Backbone.objects.exclude(weights_path="").exists()

    def test_it_refuses_a_file_that_is_not_weights(self, tmp_path):
        text = tmp_path / "notes.pt"
        text.write_text("not a checkpoint")
        with pytest.raises(CommandError, match="is not a weights file"):
            _register("Prithvi_EO_V1_100M", str(text))

    def test_it_refuses_a_missing_file_and_an_unknown_backbone(self, tmp_path):
        with pytest.raises(CommandError, match="is not a file"):
            _register("timm_resnet18", str(tmp_path / "missing.pt"))
        with pytest.raises(CommandError, match="No backbone 'resnet9000'"):
            _register("resnet9000", str(tmp_path / "missing.pt"))
        with pytest.raises(CommandError, match="Give the PATH"):
            _register("timm_resnet18")

    def test_it_clears_a_registration(self, resnet18_weights):
        _register("timm_resnet18", str(resnet18_weights))
        _register("timm_resnet18", "--clear")
        backbone = Backbone.objects.get(name="timm_resnet18")
        assert backbone.weights_path == ""
        assert backbone.weights_tensors_matched is None
        assert decide(backbone).kind == "none"

    def test_its_help_names_the_arguments(self):
        parser: CommandParser = Command().create_parser("manage.py", "register_weights")
        text = parser.format_help()
        assert "BACKBONE" in text and "PATH" in text and "--clear" in text

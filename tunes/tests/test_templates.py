"""Every choice a template offers builds a working task for its family."""

import gc
import math

import pytest
import torch

from tunes import configs, factory
from tunes.models import Template
from tunes.parameters import ParametersForm, defaults
from tunes.weights import NONE, Weights

from .factories import HLS, make_hls_dataset, make_tune_of

pytestmark = pytest.mark.django_db

RANDOM = Weights(NONE, detail="test")
SMALLEST = {
    "prithvi": "Prithvi_EO_V1_100M",
    "terramind": "terramind_v1_base",
    "clay": "clay_v1_base",
    "resnet": "timm_resnet18",
    "convnext": "timm_convnext_large.fb_in22k",
}
SIDE = 32


def _choices(template: Template, name: str) -> list[str]:
    return next(spec for spec in template.parameters if spec["name"] == name)["choices"]


class TestTemplates:
    def test_every_default_is_valid(self):
        for template in Template.objects.all():
            form = ParametersForm(
                template.parameters, defaults(template.parameters), train_chips=100
            )
            assert form.is_valid(), (template.slug, form.errors)
            assert template.backbones().exists(), template.slug

    @pytest.mark.slow
    @pytest.mark.parametrize(
        "slug",
        [
            "segmentation",
            "regression",
            "terramind-segmentation",
            "clay-segmentation",
            "resnet-segmentation",
            "convnext-segmentation",
        ],
    )
    def test_every_choice_works(self, slug, user):
        template = Template.objects.get(slug=slug)
        dataset = make_hls_dataset(user, chip_size=SIDE, task_type=template.task_type)
        backbone = SMALLEST[template.families[0]]
        image = torch.randn(2, len(HLS), SIDE, SIDE)
        if template.task_type == Template.TaskType.REGRESSION:
            label = torch.rand(2, SIDE, SIDE) * 10
        else:
            label = torch.randint(0, 2, (2, SIDE, SIDE))
        label[:, 0] = -1

        for decoder in _choices(template, "decoder"):
            tune = make_tune_of(
                backbone, user, dataset, decoder=decoder, crop_size=SIDE
            )
            task = factory.build_task(tune, RANDOM)
            output = task.model(image).output
            assert output.shape[-2:] == (SIDE, SIDE), decoder

            for loss in _choices(template, "loss"):
                task.hparams["loss"] = loss
                task.configure_losses()
                value = task.criterion(output, label)
                assert math.isfinite(value.item()), (decoder, loss)
            for scheduler in _choices(template, "scheduler"):
                name, hparams = configs.scheduler_settings(
                    {**tune.parameters, "scheduler": scheduler}
                )
                task.hparams["scheduler"] = name
                task.hparams["scheduler_hparams"] = hparams
                optimizers = task.configure_optimizers()
                assert ("lr_scheduler" in optimizers) == (scheduler != "none")
            del task
            gc.collect()

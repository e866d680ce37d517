"""Every backbone of the catalog builds through the worker's factory and runs.

Weights are off: nothing is downloaded. Inputs are small and of a size that is
not a multiple of any patch size, so TerraTorch's padding is exercised too.
"""

import gc
import math

import pytest
import torch

from tunes import configs, factory
from tunes.catalog import BACKBONES
from tunes.weights import NONE, Weights

from .factories import HLS, make_hls_dataset, make_tune_of

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

RANDOM = Weights(NONE, detail="test")
# Backbones up to about this size also take one training step on the CPU;
# larger ones only a forward pass.
TRAINED_UP_TO = 110_000_000
SIDE = 40  # not a multiple of 14, 16 or 32
CLAY_CROP = 32


@pytest.mark.parametrize("name", [row["name"] for row in BACKBONES])
def test_it_builds_and_runs(name, user):
    torch.manual_seed(0)
    dataset = make_hls_dataset(user, chip_size=SIDE)
    tune = make_tune_of(name, user, dataset, crop_size=CLAY_CROP)
    config = configs.render(tune, RANDOM)
    assert config["model"]["init_args"]["model_args"]["backbone_pretrained"] is False

    task = factory.instantiate(config["model"])
    size = sum(parameter.numel() for parameter in task.parameters())
    image = torch.randn(2, len(HLS), SIDE, SIDE)

    task.eval()
    with torch.no_grad():
        if tune.backbone.family == "clay":
            # Clay's grid is fixed: larger chips go through tiled inference,
            # as in validation.
            output = task.handle_full_or_tiled_inference(image, True).output
        else:
            output = task.model(image).output
    assert output.shape == (2, 2, SIDE, SIDE)
    assert torch.isfinite(output).all()

    if size <= TRAINED_UP_TO:
        _train_one_step(task, tune)
    del task
    gc.collect()


def _train_one_step(task, tune) -> None:
    side = CLAY_CROP if tune.backbone.family == "clay" else SIDE
    image = torch.randn(2, len(HLS), side, side)
    label = torch.randint(0, 2, (2, side, side))
    label[:, :3] = -1  # no data, ignored by the loss
    task.train()
    optimizer = task.configure_optimizers()["optimizer"]
    before = {name: p.detach().clone() for name, p in task.named_parameters()}

    output = task.model(image).output
    assert output.shape[-2:] == (side, side)
    loss = task.criterion(output, label)
    loss.backward()

    assert math.isfinite(loss.item())
    grads = {name: p.grad for name, p in task.named_parameters() if p.grad is not None}
    assert any(
        name.startswith("model.encoder.") and grad.abs().sum() > 0
        for name, grad in grads.items()
    ), "no gradient reached the backbone"
    assert any(
        name.startswith("model.head.") and grad.abs().sum() > 0
        for name, grad in grads.items()
    ), "no gradient reached the head"
    optimizer.step()
    assert any(not torch.equal(before[name], p) for name, p in task.named_parameters())


def test_edge_pixels_reach_the_output(user):
    """A chip whose side is not a multiple of the patch size loses no pixel.

    TerraTorch pads the input to whole patches and crops the output back; the
    last row and column of the output must depend on the last input pixels.
    """
    torch.manual_seed(0)
    dataset = make_hls_dataset(user, chip_size=SIDE)
    tune = make_tune_of("Prithvi_EO_V1_100M", user, dataset)
    model = factory.build_task(tune, RANDOM).model.eval()
    image = torch.randn(1, len(HLS), SIDE, SIDE)
    changed = image.clone()
    changed[..., -1, -1] += 10

    with torch.no_grad():
        before = model(image).output
        after = model(changed).output

    assert before.shape[-2:] == (SIDE, SIDE)
    assert not torch.allclose(before[..., -1, -1], after[..., -1, -1])

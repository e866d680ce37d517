"""Loading a finished tune's model from its checkpoint, for inference."""

import torch

from . import factory
from .models import Tune
from .weights import FOR_CHECKPOINT


def load_tuned_model(tune: Tune) -> torch.nn.Module:
    """The tune's trained model, in eval mode on the CPU.

    The model is built from the tune's config with pretrained weights off, so
    rebuilding it never reaches for a hub or a registered file; the checkpoint
    then fills in every weight. Calling it with a batch of normalised images
    returns TerraTorch's ModelOutput, whose ``output`` holds the prediction.
    """
    if not tune.checkpoint_path.is_file():
        raise FileNotFoundError(f"Tune {tune.pk} has no checkpoint")
    task = factory.build_task(tune, FOR_CHECKPOINT)
    # Lightning checkpoints hold optimizer state and hyperparameters besides
    # the weights; the file is the studio's own.
    checkpoint = torch.load(
        tune.checkpoint_path, map_location="cpu", weights_only=False
    )
    task.load_state_dict(checkpoint["state_dict"])
    return task.model.eval()

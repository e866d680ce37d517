"""A tune as a TerraTorch config a person can run themselves.

The download is a zip: ``config.yaml``, the split files it names and a README.
``terratorch fit --config config.yaml``, run inside the unpacked folder,
trains the same model on the same prepared chips as the studio did.
"""

import io
import zipfile
from typing import Any

import yaml
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from . import configs
from .models import Tune
from .views import _get_tune_for_user
from .weights import Weights, WeightsError, decide, recorded

SPLITS = ("train", "val", "test")
OUTPUT_DIR = "output"

README = """\
Tune {pk}: {name}
Template {template}, backbone {backbone}, dataset {dataset}.
Backbone weights: {weights}

Run it inside this folder, where the split files are:

    terratorch fit --config config.yaml

The images and labels are read from the studio's prepared copy of the dataset,
{images}; point the *_data_root settings elsewhere to train on a copy.
Checkpoints and logs are written under {output}/.
"""


@require_GET
def download_config(request: HttpRequest, tune_id: int) -> HttpResponse:
    tune = _get_tune_for_user(request, tune_id)
    try:
        archive = config_archive(tune)
    except (ValueError, WeightsError) as exc:
        return HttpResponse(
            f"This tune cannot be exported: {exc}",
            status=409,
            content_type="text/plain",
        )
    return HttpResponse(
        archive,
        content_type="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="tune-{tune.pk}-config.zip"'
        },
    )


def export_config(tune: Tune) -> dict[str, Any]:
    """The tune's TerraTorch config, with split files and outputs relative.

    The weights are those the tune started from; a tune that has not started
    gets those it would start from now.
    """
    config = configs.render(tune, _weights(tune))
    data_args = config["data"]["init_args"]
    for split in SPLITS:
        data_args[f"{split}_split"] = f"splits/{split}.txt"

    trainer = config.setdefault("trainer", {})
    trainer["default_root_dir"] = OUTPUT_DIR
    callbacks = [
        callback
        for callback in trainer.get("callbacks") or []
        if callback["class_path"].rpartition(".")[2] != "ModelCheckpoint"
    ]
    # The best epoch by validation loss, as the studio keeps it.
    callbacks.insert(
        0,
        {
            "class_path": "lightning.pytorch.callbacks.ModelCheckpoint",
            "init_args": {
                "dirpath": f"{OUTPUT_DIR}/checkpoints",
                "filename": "best",
                "monitor": "val/loss",
                "mode": "min",
                "save_top_k": 1,
            },
        },
    )
    trainer["callbacks"] = callbacks
    return config


def config_archive(tune: Tune) -> bytes:
    config = export_config(tune)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "config.yaml", yaml.safe_dump(config, sort_keys=False, allow_unicode=True)
        )
        for split in SPLITS:
            path = tune.dataset.split_file(split)
            archive.writestr(
                f"splits/{split}.txt", path.read_text() if path.is_file() else ""
            )
        archive.writestr(
            "README.txt",
            README.format(
                pk=tune.pk,
                name=tune.name,
                template=tune.template.name,
                backbone=tune.backbone.name,
                dataset=tune.dataset.name,
                weights=_weights(tune).source,
                images=tune.dataset.images_dir,
                output=OUTPUT_DIR,
            ),
        )
    return buffer.getvalue()


def _weights(tune: Tune) -> Weights:
    return recorded(tune.weights_source) or decide(tune.backbone)

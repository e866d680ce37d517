"""Rows for tests, and tiny real tunes for those that need a trained one."""

from datasets.models import Band, Dataset, LabelCategory
from tunes.models import Backbone, Template, Tune
from tunes.parameters import defaults


def make_dataset(owner=None, **fields) -> Dataset:
    dataset = Dataset.objects.create(
        owner=owner,
        name=fields.pop("name", "Flood chips"),
        image_suffix="_S1Hand.tif",
        label_suffix="_LabelHand.tif",
        status=fields.pop("status", Dataset.Status.READY),
        chip_height=512,
        chip_width=512,
        **fields,
    )
    Band.objects.create(dataset=dataset, index=0, name="VV", mean=-10.0, std=4.0)
    Band.objects.create(dataset=dataset, index=1, name="VH", mean=-17.0, std=5.0)
    LabelCategory.objects.create(dataset=dataset, value=0, name="dry")
    LabelCategory.objects.create(dataset=dataset, value=1, name="water")
    return dataset


def make_tune(owner, dataset=None, **fields) -> Tune:
    template = Template.objects.get(slug="resnet-segmentation")
    return Tune.objects.create(
        owner=owner,
        name=fields.pop("name", "A tune"),
        template=template,
        backbone=Backbone.objects.get(name="timm_resnet18"),
        dataset=dataset or make_dataset(owner),
        parameters=defaults(template.parameters),
        bands=[
            {"index": 0, "use": True, "name": "VV", "scaling_factor": 1.0, "rgb": ""},
            {"index": 1, "use": True, "name": "VH", "scaling_factor": 1.0, "rgb": ""},
        ],
        **fields,
    )


HLS = ["BLUE", "GREEN", "RED", "NIR_NARROW", "SWIR_1", "SWIR_2"]


def make_hls_dataset(owner=None, chip_size: int = 64, **fields) -> Dataset:
    """A dataset whose bands carry HLS names, which every backbone can map."""
    dataset = Dataset.objects.create(
        owner=owner,
        name=fields.pop("name", "HLS chips"),
        image_suffix="_merged.tif",
        label_suffix="_mask.tif",
        status=Dataset.Status.READY,
        chip_height=chip_size,
        chip_width=chip_size,
        **fields,
    )
    for index, name in enumerate(HLS):
        Band.objects.create(dataset=dataset, index=index, name=name, mean=0, std=1)
    if dataset.task_type == Dataset.TaskType.SEGMENTATION:
        LabelCategory.objects.create(dataset=dataset, value=0, name="land")
        LabelCategory.objects.create(dataset=dataset, value=1, name="water")
    return dataset


def make_tune_of(backbone_name: str, owner, dataset, **parameters) -> Tune:
    """A tune of the named backbone, on the first template of its family."""
    from tunes.forms import band_initial

    backbone = Backbone.objects.get(name=backbone_name)
    template = next(
        template
        for template in Template.objects.filter(task_type=dataset.task_type)
        if template.fits(backbone)
    )
    return Tune.objects.create(
        owner=owner,
        name=f"A {backbone_name} tune",
        template=template,
        backbone=backbone,
        dataset=dataset,
        parameters={**defaults(template.parameters), **parameters},
        bands=band_initial(dataset, backbone),
    )


# A budget that trains in seconds on a CPU, on the real chips.
TINY = {"max_epochs": 1, "crop_size": 64, "batch_size": 2, "lr": 1e-3}


def train_tiny_tune(owner, dataset, name="Tiny flood tune", **parameters) -> Tune:
    """A tune trained for real by the worker's job, in this process."""
    from tunes.jobs import queue_tune, run_tune

    tune = make_tune(owner, dataset=dataset, name=name)
    tune.parameters.update(TINY, **parameters)
    tune.save()
    queue_tune(tune)
    run_tune(tune.pk)
    tune.refresh_from_db()
    assert tune.status == Tune.Status.FINISHED, tune.status_message
    return tune

"""A labelled dataset: chips of imagery paired with label rasters.

A dataset is onboarded once: its files are checked, paired by chip id, split
into train / val / test and summarised by per-band statistics. Tunes read only
what onboarding accepted.
"""

from pathlib import Path

from django.conf import settings
from django.db import models
from django.db.models import Q


class DatasetQuerySet(models.QuerySet):
    def visible_to(self, user) -> "DatasetQuerySet":
        return self.filter(Q(owner=user) | Q(shared=True))


class Dataset(models.Model):
    class TaskType(models.TextChoices):
        SEGMENTATION = "segmentation", "Segmentation"
        REGRESSION = "regression", "Regression"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        ONBOARDING = "onboarding", "Onboarding"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE
    )
    shared = models.BooleanField(default=False, help_text="Visible to every user.")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    task_type = models.CharField(
        max_length=20, choices=TaskType.choices, default=TaskType.SEGMENTATION
    )
    # The data source the imagery came from, as the lab needs it to fetch more.
    source_name = models.CharField(max_length=100, blank=True)
    source_collection = models.CharField(max_length=200, blank=True)
    image_suffix = models.CharField(
        max_length=100, help_text="End of every image file name, e.g. _S1Hand.tif"
    )
    label_suffix = models.CharField(
        max_length=100, help_text="End of every label file name, e.g. _LabelHand.tif"
    )
    label_nodata = models.FloatField(
        default=-1, help_text="Label value that means no data; ignored in the loss."
    )
    split_seed = models.IntegerField(default=0)
    # The folder or zip the chips were onboarded from, to onboard them again.
    source = models.CharField(max_length=500, blank=True)
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.PENDING
    )
    status_message = models.TextField(blank=True)
    chip_height = models.PositiveIntegerField(null=True, blank=True)
    chip_width = models.PositiveIntegerField(null=True, blank=True)
    attribution = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)
    onboarded = models.DateTimeField(null=True, blank=True)

    objects = DatasetQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def folder(self) -> Path:
        return settings.STORAGE_ROOT / "datasets" / str(self.pk)

    @property
    def images_dir(self) -> Path:
        return self.folder / "images"

    @property
    def labels_dir(self) -> Path:
        return self.folder / "labels"

    @property
    def log_path(self) -> Path:
        return self.folder / "onboarding.log"

    def prepared_image(self, chip_id: str) -> Path:
        # Images and labels share the chip id as their whole file name: the
        # trainer pairs them by sorted file order, which then cannot differ.
        return self.images_dir / f"{chip_id}.tif"

    def prepared_label(self, chip_id: str) -> Path:
        return self.labels_dir / f"{chip_id}.tif"

    def split_file(self, split: str) -> Path:
        return self.folder / "splits" / f"{split}.txt"

    @property
    def unpacked_dir(self) -> Path:
        return self.folder / "source"

    @property
    def is_final(self) -> bool:
        return self.status in {self.Status.READY, self.Status.FAILED}


class Band(models.Model):
    class Rgb(models.TextChoices):
        NONE = "", "—"
        RED = "R", "Red"
        GREEN = "G", "Green"
        BLUE = "B", "Blue"

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="bands")
    index = models.PositiveIntegerField(help_text="Position in the image, from 0.")
    name = models.CharField(max_length=50)
    scaling_factor = models.FloatField(default=1.0)
    rgb = models.CharField(max_length=1, choices=Rgb.choices, blank=True)
    # Statistics of the training chips after scaling, for normalisation.
    mean = models.FloatField(null=True, blank=True)
    std = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["index"]
        constraints = [
            models.UniqueConstraint(fields=["dataset", "index"], name="band_index")
        ]

    def __str__(self) -> str:
        return self.name


class LabelCategory(models.Model):
    dataset = models.ForeignKey(
        Dataset, on_delete=models.CASCADE, related_name="label_categories"
    )
    value = models.IntegerField(help_text="Pixel value in the label rasters.")
    name = models.CharField(max_length=100)
    colour = models.CharField(max_length=7, default="#888888")
    opacity = models.FloatField(default=1.0)
    weight = models.FloatField(
        default=1.0, help_text="Weight of the class in the loss."
    )

    class Meta:
        ordering = ["value"]
        verbose_name_plural = "label categories"
        constraints = [
            models.UniqueConstraint(fields=["dataset", "value"], name="category_value")
        ]

    def __str__(self) -> str:
        return self.name


class Chip(models.Model):
    class Split(models.TextChoices):
        TRAIN = "train", "Train"
        VAL = "val", "Validation"
        TEST = "test", "Test"
        EXCLUDED = "excluded", "Excluded"

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="chips")
    chip_id = models.CharField(max_length=200)
    split = models.CharField(max_length=10, choices=Split.choices)
    warning = models.TextField(blank=True)

    class Meta:
        ordering = ["chip_id"]
        constraints = [
            models.UniqueConstraint(fields=["dataset", "chip_id"], name="chip_id")
        ]

    def __str__(self) -> str:
        return self.chip_id

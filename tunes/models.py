"""The model catalog: backbones, task templates, and tunes made from them."""

from pathlib import Path

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone


class Backbone(models.Model):
    """A pretrained base model that TerraTorch can build by registry name."""

    name = models.CharField(max_length=100, unique=True)
    registry_name = models.CharField(
        max_length=100, help_text="Name of the backbone in TerraTorch's registry."
    )
    family = models.CharField(max_length=50)
    description = models.TextField(blank=True)
    # Empty for backbones that take any bands in any order.
    native_bands = models.JSONField(default=list, blank=True)
    parameter_count = models.CharField(max_length=20, blank=True)
    # Where the pretrained weights live on the Hugging Face hub, as TerraTorch
    # fetches them; a copy in the local hub cache is used without a network.
    hub_repo_id = models.CharField(max_length=200, blank=True)
    hub_filename = models.CharField(max_length=200, blank=True)
    # A local weights file registered by an operator; it wins over the cache.
    weights_path = models.CharField(
        max_length=500,
        blank=True,
        help_text="Absolute path of a weights file on the worker's machine.",
    )
    # What the last check of weights_path found: how many of the backbone's
    # tensors the file filled in, or why it did not load.
    weights_tensors_matched = models.PositiveIntegerField(null=True, blank=True)
    weights_tensors_total = models.PositiveIntegerField(null=True, blank=True)
    weights_checked = models.DateTimeField(null=True, blank=True)
    weights_check_message = models.TextField(blank=True)

    class Meta:
        ordering = ["family", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("tunes:show_backbone", args=[self.pk])

    def templates(self) -> list["Template"]:
        # JSON containment lookups are not available on SQLite; the catalog is
        # a handful of rows.
        return [t for t in Template.objects.all() if self.family in t.families]


class Template(models.Model):
    """A task template: the task type, its parameters and the families it fits."""

    class TaskType(models.TextChoices):
        SEGMENTATION = "segmentation", "Segmentation"
        REGRESSION = "regression", "Regression"

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    task_type = models.CharField(max_length=20, choices=TaskType.choices)
    families = models.JSONField(default=list)
    # A list of parameter specs: name, label, tab, type, default, min, max,
    # choices and help. See tunes.parameters.
    parameters = models.JSONField(default=list)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def fits(self, backbone: Backbone) -> bool:
        return backbone.family in self.families

    def backbones(self) -> models.QuerySet[Backbone]:
        return Backbone.objects.filter(family__in=self.families)


class TuneQuerySet(models.QuerySet):
    def visible_to(self, user) -> "TuneQuerySet":
        return self.filter(Q(owner=user) | Q(shared=True))


class Tune(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        FINISHED = "finished", "Finished"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    FINAL_STATUSES = {Status.FINISHED, Status.FAILED, Status.CANCELLED}

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    shared = models.BooleanField(default=False, help_text="Visible to every user.")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    template = models.ForeignKey(Template, on_delete=models.PROTECT)
    backbone = models.ForeignKey(Backbone, on_delete=models.PROTECT)
    dataset = models.ForeignKey("datasets.Dataset", on_delete=models.PROTECT)
    parameters = models.JSONField(default=dict)
    # The dataset's bands as the person confirmed them in the wizard: a list of
    # {index, name, scaling_factor, rgb}.
    bands = models.JSONField(default=list)

    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.PENDING
    )
    status_message = models.TextField(blank=True)
    weights_source = models.CharField(max_length=300, blank=True)
    epoch = models.PositiveIntegerField(default=0)
    max_epochs = models.PositiveIntegerField(default=0)
    step = models.PositiveIntegerField(default=0)
    steps_per_epoch = models.PositiveIntegerField(default=0)
    test_metrics = models.JSONField(default=dict, blank=True)

    # A complete TerraTorch config given through the API instead of a
    # template's parameters; empty for tunes made from a template.
    custom_config = models.JSONField(default=dict, blank=True)
    # Data source, bands, label categories and layers the lab uses for this
    # tune's inference runs, saved from the "Try in Lab" dialog.
    lab_config = models.JSONField(default=dict, blank=True)

    created = models.DateTimeField(default=timezone.now)
    started = models.DateTimeField(null=True, blank=True)
    finished = models.DateTimeField(null=True, blank=True)
    # Written by the worker while it trains; a running tune whose heartbeat
    # stops was lost with its worker.
    heartbeat = models.DateTimeField(null=True, blank=True)

    objects = TuneQuerySet.as_manager()

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("tunes:show_tune", args=[self.pk])

    @property
    def is_final(self) -> bool:
        return self.status in self.FINAL_STATUSES

    @property
    def folder(self) -> Path:
        return settings.STORAGE_ROOT / "tunes" / str(self.pk)

    @property
    def log_path(self) -> Path:
        return self.folder / "tune.log"

    @property
    def checkpoint_path(self) -> Path:
        return self.folder / "checkpoints" / "best.ckpt"

    @property
    def progress_percent(self) -> int:
        if self.status == self.Status.FINISHED:
            return 100
        if not self.max_epochs:
            return 0
        done = self.epoch
        if self.steps_per_epoch:
            done += min(self.step, self.steps_per_epoch) / self.steps_per_epoch
        return min(99, int(100 * done / self.max_epochs))


class TuneMetric(models.Model):
    """One value of one metric at the end of one epoch (or of the test)."""

    tune = models.ForeignKey(Tune, on_delete=models.CASCADE, related_name="metrics")
    epoch = models.PositiveIntegerField()
    split = models.CharField(max_length=10)  # train, val or test
    name = models.CharField(max_length=100)
    value = models.FloatField()

    class Meta:
        ordering = ["epoch", "split", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["tune", "epoch", "split", "name"], name="metric_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.split}/{self.name}@{self.epoch}={self.value:.4g}"


class TuneEvent(models.Model):
    """A change of a tune's status, with when and why."""

    tune = models.ForeignKey(Tune, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(max_length=20, choices=Tune.Status.choices)
    message = models.TextField(blank=True)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created", "pk"]

    def __str__(self) -> str:
        return f"{self.tune_id} {self.status} at {self.created:%Y-%m-%d %H:%M:%S}"

"""The inference lab: imagery scenes, and runs of a tune over a place and dates."""

import shutil
from pathlib import Path

from django.conf import settings
from django.db import models, transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone


class Scene(models.Model):
    """A GeoTIFF or COG on this machine, registered in the local imagery catalog."""

    name = models.CharField(max_length=200)
    path = models.CharField(max_length=1000, unique=True)
    collection = models.CharField(max_length=200, blank=True)
    acquired = models.DateField(help_text="Acquisition date (UTC).")
    # Some files do not record when they were acquired; the catalog then holds
    # a placeholder date, and the lab says so wherever the date shows.
    acquired_is_placeholder = models.BooleanField(default=False)
    # Footprint as a bounding box in EPSG:4326 degrees.
    west = models.FloatField()
    south = models.FloatField()
    east = models.FloatField()
    north = models.FloatField()
    crs = models.CharField(max_length=100)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    # Band names in file order; empty when the file does not name its bands,
    # which are then matched by position.
    bands = models.JSONField(default=list, blank=True)
    band_count = models.PositiveIntegerField()
    attribution = models.TextField(blank=True)
    registered = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-acquired", "name"]
        indexes = [models.Index(fields=["acquired"])]

    def __str__(self) -> str:
        return self.name

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        return (self.west, self.south, self.east, self.north)


class InferenceRunQuerySet(models.QuerySet):
    def owned_by(self, user) -> "InferenceRunQuerySet":
        return self.filter(owner=user)


class InferenceRun(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        FINISHED = "finished", "Finished"
        FAILED = "failed", "Failed"

    class Source(models.TextChoices):
        CATALOG = "catalog", "Local imagery catalog"
        STAC = "stac", "STAC API"
        UPLOAD = "upload", "Uploaded GeoTIFF"

    FINAL_STATUSES = {Status.FINISHED, Status.FAILED}

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    # A run outlives its tune: the tune's name is copied, and so is everything
    # needed to show the run's layers again.
    tune = models.ForeignKey(
        "tunes.Tune",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inference_runs",
    )
    tune_name = models.CharField(max_length=200)
    task_type = models.CharField(max_length=20)
    name = models.CharField(max_length=200)
    source = models.CharField(max_length=20, choices=Source.choices)
    # The area in EPSG:4326 degrees; for an upload, the file's bounds, known
    # once the job has read it.
    west = models.FloatField(null=True, blank=True)
    south = models.FloatField(null=True, blank=True)
    east = models.FloatField(null=True, blank=True)
    north = models.FloatField(null=True, blank=True)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    upload_name = models.CharField(max_length=255, blank=True)
    # The tune's lab configuration as it was when the run started: data
    # source, bands, label categories and layers.
    config = models.JSONField(default=dict)

    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.QUEUED
    )
    status_message = models.TextField(blank=True)
    stage = models.CharField(max_length=200, blank=True)
    progress = models.PositiveSmallIntegerField(default=0)
    # What the job found: the scenes it read and the output's grid.
    scenes = models.JSONField(default=list, blank=True)
    crs = models.CharField(max_length=100, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    value_range = models.JSONField(default=list, blank=True)

    created = models.DateTimeField(default=timezone.now)
    started = models.DateTimeField(null=True, blank=True)
    finished = models.DateTimeField(null=True, blank=True)

    objects = InferenceRunQuerySet.as_manager()

    class Meta:
        ordering = ["-created", "-pk"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("lab:show_run", args=[self.pk])

    @property
    def is_final(self) -> bool:
        return self.status in self.FINAL_STATUSES

    @property
    def has_area(self) -> bool:
        return None not in (self.west, self.south, self.east, self.north)

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        return (self.west, self.south, self.east, self.north)

    @property
    def folder(self) -> Path:
        return settings.STORAGE_ROOT / "lab" / "runs" / str(self.pk)

    @property
    def upload_path(self) -> Path:
        return self.folder / "upload.tif"

    @property
    def input_path(self) -> Path:
        return self.folder / "input.tif"

    @property
    def prediction_path(self) -> Path:
        return self.folder / "prediction.tif"


@receiver(post_delete, sender=InferenceRun)
def _remove_run_files(sender, instance: InferenceRun, **kwargs) -> None:
    # A run deleted (by an operator, or with its owner's account) takes its
    # files along, once the deletion is committed.
    folder = instance.folder
    transaction.on_commit(lambda: shutil.rmtree(folder, ignore_errors=True))

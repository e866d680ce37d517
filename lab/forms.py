import math
from datetime import date, timedelta
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.forms import formset_factory

from .models import InferenceRun
from .sources import stac_api_url

MAX_UPLOAD_BYTES = 2 * 1024**3
RGB_CHOICES = [("", "—"), ("R", "Red"), ("G", "Green"), ("B", "Blue")]
colour_validator = RegexValidator(r"^#[0-9a-fA-F]{6}$", "Write a colour as #1f78b4.")


def source_choices(include_upload: bool = False) -> list[tuple[str, str]]:
    choices = [("catalog", InferenceRun.Source.CATALOG.label)]
    # A STAC API is offered only where the operator configured one: a person
    # never types an address the worker would then fetch.
    if stac_api_url():
        choices.append(("stac", InferenceRun.Source.STAC.label))
    if include_upload:
        choices.append(("upload", InferenceRun.Source.UPLOAD.label))
    return choices


class SourceForm(forms.Form):
    kind = forms.ChoiceField(label="Data source", choices=source_choices)
    name = forms.CharField(
        label="Source name",
        max_length=100,
        required=False,
        help_text="e.g. Sentinel-1 GRD",
    )
    collection = forms.CharField(
        max_length=200,
        required=False,
        help_text="Only scenes of this collection are read; empty reads any.",
    )
    file_suffix = forms.CharField(
        max_length=100,
        required=False,
        help_text="Only files (or STAC assets) whose name ends with this, e.g. "
        "_S1Hand.tif; empty reads any.",
    )


class BandForm(forms.Form):
    index = forms.IntegerField(widget=forms.HiddenInput)
    name = forms.CharField(max_length=50)
    scaling_factor = forms.FloatField()
    rgb = forms.ChoiceField(choices=RGB_CHOICES, required=False, label="RGB")

    def clean_scaling_factor(self) -> float:
        factor = self.cleaned_data["scaling_factor"]
        if not math.isfinite(factor) or factor == 0:
            raise ValidationError("Use a non-zero number.")
        return factor


class CategoryForm(forms.Form):
    value = forms.IntegerField(widget=forms.HiddenInput)
    name = forms.CharField(max_length=100)
    colour = forms.CharField(
        max_length=7,
        validators=[colour_validator],
        widget=forms.TextInput(attrs={"type": "color"}),
    )
    opacity = forms.FloatField(min_value=0, max_value=1)


class LayerForm(forms.Form):
    key = forms.CharField(widget=forms.HiddenInput)
    name = forms.CharField(max_length=100, label="Display name")
    z_index = forms.IntegerField(min_value=0, max_value=1000, label="Z-index")
    rgb_max = forms.FloatField(
        required=False, min_value=0, label="RGB max value", help_text="Raw values"
    )


BandFormSet = formset_factory(BandForm, extra=0)
CategoryFormSet = formset_factory(CategoryForm, extra=0)
LayerFormSet = formset_factory(LayerForm, extra=0)


class LabConfigForms:
    """The "Try in Lab" dialog: a source form and three formsets, as one."""

    def __init__(self, config: dict[str, Any], data=None):
        self.config = config
        self.source = SourceForm(
            data,
            prefix="source",
            initial={**config["source"], "file_suffix": config["file_suffix"]},
        )
        self.bands = BandFormSet(data, prefix="band", initial=config["bands"])
        self.categories = CategoryFormSet(
            data, prefix="category", initial=config["categories"]
        )
        self.layers = LayerFormSet(data, prefix="layer", initial=config["layers"])
        self.errors: list[str] = []

    def is_valid(self) -> bool:
        forms_valid = all(
            form.is_valid()
            for form in (self.source, self.bands, self.categories, self.layers)
        )
        if not forms_valid:
            return False
        self.errors = self._cross_errors()
        return not self.errors

    def cleaned_config(self) -> dict[str, Any]:
        source = self.source.cleaned_data
        return {
            "source": {
                "kind": source["kind"],
                "name": source["name"],
                "collection": source["collection"],
            },
            "file_suffix": source["file_suffix"],
            "bands": [dict(row) for row in self.bands.cleaned_data],
            "categories": [dict(row) for row in self.categories.cleaned_data],
            "layers": [
                {key: value for key, value in row.items() if value is not None}
                for row in self.layers.cleaned_data
            ],
        }

    def band_rows(self):
        """Each band's form beside what the form does not edit."""
        return zip(self.bands.forms, self.config["bands"], strict=False)

    def _cross_errors(self) -> list[str]:
        errors = []
        # The rows must be the configuration's own, in its order: the
        # dialog edits them, it cannot add or drop any.
        pairs = [
            (self.bands, self.config["bands"], "index"),
            (self.categories, self.config["categories"], "value"),
            (self.layers, self.config["layers"], "key"),
        ]
        for formset, rows, key in pairs:
            posted = [row[key] for row in formset.cleaned_data]
            if posted != [row[key] for row in rows]:
                errors.append("The form is out of date; reload the page.")
                return errors

        marks = [row["rgb"] for row in self.bands.cleaned_data if row["rgb"]]
        if len(marks) != len(set(marks)):
            errors.append("Mark each of R, G and B on one band at most.")
        elif marks and sorted(marks) != ["B", "G", "R"]:
            errors.append("Mark all three of R, G and B, or none.")
        names = [row["name"].lower() for row in self.bands.cleaned_data]
        if len(names) != len(set(names)):
            errors.append("Band names must differ.")
        for row in self.layers.cleaned_data:
            if row["key"] == "input" and not row.get("rgb_max"):
                errors.append("The input layer needs an RGB max value above 0.")
        return errors


class RunForm(forms.Form):
    name = forms.CharField(max_length=200, label="Run name")
    source = forms.ChoiceField(
        label="Imagery",
        choices=lambda: source_choices(include_upload=True),
        widget=forms.RadioSelect,
    )
    west = forms.FloatField(min_value=-180, max_value=180, required=False)
    south = forms.FloatField(min_value=-90, max_value=90, required=False)
    east = forms.FloatField(min_value=-180, max_value=180, required=False)
    north = forms.FloatField(min_value=-90, max_value=90, required=False)
    start_date = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end_date = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    upload = forms.FileField(
        required=False,
        label="GeoTIFF",
        help_text="Runs the tune on this file as it is: no area or dates needed.",
    )

    def clean_upload(self):
        upload = self.cleaned_data.get("upload")
        if upload is None:
            return None
        if not upload.name.lower().endswith((".tif", ".tiff")):
            raise ValidationError("Upload a GeoTIFF (.tif or .tiff).")
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(
                f"The file is {upload.size / 1024**3:.1f} GiB; at most "
                f"{MAX_UPLOAD_BYTES / 1024**3:.0f} GiB can be uploaded."
            )
        return upload

    def clean(self):
        data = super().clean()
        if data.get("source") == InferenceRun.Source.UPLOAD:
            if not data.get("upload") and "upload" not in self.errors:
                self.add_error("upload", "Choose a GeoTIFF to upload.")
            return data

        area = [data.get(side) for side in ("west", "south", "east", "north")]
        for side, value in zip(("west", "south", "east", "north"), area, strict=True):
            if value is None and side not in self.errors:
                self.add_error(side, "Draw a box on the map or type its edges.")
        if None not in area:
            west, south, east, north = area
            # FIXME: an area across the antimeridian is refused; it needs two searches.
            if west >= east:
                self.add_error("east", "East must be greater than west.")
            if south >= north:
                self.add_error("north", "North must be greater than south.")

        start, end = data.get("start_date"), data.get("end_date")
        if start is None and "start_date" not in self.errors:
            self.add_error("start_date", "Pick a start date.")
        if end is None and "end_date" not in self.errors:
            self.add_error("end_date", "Pick an end date.")
        if start and end and start > end:
            self.add_error("end_date", "The end date comes before the start date.")
        return data


def default_dates(dates: list[date]) -> tuple[date, date]:
    """The range of the catalog's scenes, else the last 30 days."""
    if dates:
        return min(dates), max(dates)
    today = date.today()
    return today - timedelta(days=30), today

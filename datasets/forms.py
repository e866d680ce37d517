import zipfile

from django import forms

from .models import Dataset
from .specs import (
    check_specs,
    check_suffixes,
    parse_band,
    parse_category,
    parse_lines,
)


class DatasetForm(forms.ModelForm):
    archive = forms.FileField(
        label="Chips (.zip)",
        widget=forms.ClearableFileInput(attrs={"accept": ".zip,application/zip"}),
        help_text="A zip of GeoTIFF images and labels; folders inside are fine.",
    )
    bands = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "VV\nVH"}),
        help_text=(
            "One band a line, in the order of the image file: NAME, NAME:SCALE "
            "or NAME:SCALE:R|G|B to show it as a display channel, e.g. "
            "B04:0.0001:R."
        ),
    )
    categories = forms.CharField(
        label="Label categories",
        required=False,
        widget=forms.Textarea(
            attrs={"rows": 4, "placeholder": "0:dry:#a6761d\n1:water:#1f78b4"}
        ),
        help_text=(
            "One a line: VALUE:NAME, optionally :#rrggbb, :OPACITY (0 to 1) and "
            ":WEIGHT in the loss, e.g. 1:water:#1f78b4:0.8. Leave empty for "
            "regression."
        ),
    )

    class Meta:
        model = Dataset
        fields = [
            "name",
            "description",
            "task_type",
            "source_name",
            "source_collection",
            "image_suffix",
            "label_suffix",
            "label_nodata",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        labels = {
            "label_nodata": "Label no-data value",
            "source_name": "Data source",
            "source_collection": "Collection",
        }
        help_texts = {
            "source_name": "Where the imagery came from, e.g. Sentinel-1 GRD.",
            "source_collection": "The collection the lab fetches, e.g. sentinel-1-grd.",
        }

    field_order = [
        "name",
        "description",
        "task_type",
        "source_name",
        "source_collection",
        "archive",
        "image_suffix",
        "label_suffix",
        "label_nodata",
        "bands",
        "categories",
    ]

    def clean_archive(self):
        archive = self.cleaned_data["archive"]
        if not zipfile.is_zipfile(archive):
            raise forms.ValidationError("This file is not a zip file.")
        archive.seek(0)
        return archive

    def clean_bands(self):
        try:
            return [
                parse_band(line) for line in parse_lines(self.cleaned_data["bands"])
            ]
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None

    def clean_categories(self):
        lines = parse_lines(self.cleaned_data["categories"])
        try:
            return [parse_category(line, n) for n, line in enumerate(lines)]
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None

    def clean(self):
        cleaned = super().clean()
        try:
            check_suffixes(
                cleaned.get("image_suffix", ""), cleaned.get("label_suffix", "")
            )
        except ValueError as exc:
            self.add_error("label_suffix", str(exc))
        if "bands" in cleaned and "categories" in cleaned:
            try:
                check_specs(
                    cleaned.get("task_type", ""),
                    cleaned.get("label_nodata", -1),
                    cleaned["bands"],
                    cleaned["categories"],
                )
            except ValueError as exc:
                self.add_error(None, str(exc))
        return cleaned

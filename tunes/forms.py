from django import forms

from datasets.models import Band, Dataset

from . import bands
from .models import Backbone, Template


class SetupForm(forms.Form):
    name = forms.CharField(max_length=200)
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    template = forms.ModelChoiceField(
        queryset=Template.objects.all(), help_text="The kind of task to tune for."
    )
    backbone = forms.ModelChoiceField(
        queryset=Backbone.objects.all(),
        help_text="Only backbones that fit the template are offered.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        template = self._chosen_template()
        if template is not None:
            self.fields["backbone"].queryset = template.backbones()

    def _chosen_template(self) -> Template | None:
        value = (
            self.data.get("template") if self.is_bound else self.initial.get("template")
        )
        if hasattr(value, "pk"):
            return value
        try:
            return Template.objects.get(pk=int(value))
        except (TypeError, ValueError, Template.DoesNotExist):
            return None

    def clean(self):
        cleaned = super().clean()
        template, backbone = cleaned.get("template"), cleaned.get("backbone")
        if template and backbone and not template.fits(backbone):
            self.add_error(
                "backbone", f"{backbone} does not fit the {template} template."
            )
        return cleaned


class DatasetForm(forms.Form):
    dataset = forms.ModelChoiceField(queryset=Dataset.objects.none())

    def __init__(self, *args, user, template: Template, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dataset"].queryset = Dataset.objects.visible_to(user).filter(
            status=Dataset.Status.READY, task_type=template.task_type
        )
        self.fields[
            "dataset"
        ].help_text = (
            f"Onboarded datasets for {template.get_task_type_display().lower()}."
        )


class BandForm(forms.Form):
    """One band of the chosen dataset, as the tune will use it."""

    index = forms.IntegerField(widget=forms.HiddenInput)
    use = forms.BooleanField(required=False, initial=True)
    name = forms.CharField(max_length=50)
    scaling_factor = forms.FloatField(
        min_value=0, widget=forms.NumberInput({"step": "any"})
    )
    rgb = forms.ChoiceField(choices=Band.Rgb.choices, required=False)
    native = forms.ChoiceField(label="Maps to", required=False)

    def __init__(self, *args, native_bands=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["native"].choices = [("", "—")] + [(b, b) for b in native_bands]


class BaseBandFormSet(forms.BaseFormSet):
    """The bands of a dataset, mapped onto the native bands of ``backbone``."""

    def __init__(self, *args, backbone: Backbone, **kwargs):
        self.backbone = backbone
        kwargs["form_kwargs"] = {"native_bands": backbone.native_bands}
        super().__init__(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        rows = [form.cleaned_data for form in self.forms]
        errors, error = bands.mapping_errors(self.backbone, rows)
        for position, message in errors.items():
            self.forms[position].add_error("native", message)
        if error:
            raise forms.ValidationError(error)


BandFormSet = forms.formset_factory(
    BandForm, formset=BaseBandFormSet, extra=0, min_num=1, validate_min=True
)


def band_initial(dataset: Dataset, backbone: Backbone) -> list[dict]:
    dataset_bands = list(dataset.bands.all())
    suggested = bands.suggest(backbone, [band.name for band in dataset_bands])
    return [
        {
            "index": band.index,
            # A band the backbone does not know is left out rather than
            # stopping the person at an error they did not make.
            "use": bool(native) or not bands.needs_mapping(backbone),
            "name": band.name,
            "scaling_factor": band.scaling_factor,
            "rgb": band.rgb,
            "native": native,
        }
        for band, native in zip(dataset_bands, suggested, strict=True)
    ]


class TuneRequestForm(forms.Form):
    """The fields of an API request that creates a tune, but for its parameters.

    A request names a template and a backbone, or gives a complete config;
    ``custom`` says which.
    """

    name = forms.CharField(max_length=200)
    description = forms.CharField(required=False)
    dataset = forms.ModelChoiceField(queryset=Dataset.objects.none())
    template = forms.ModelChoiceField(
        queryset=Template.objects.all(), to_field_name="slug", required=False
    )
    backbone = forms.ModelChoiceField(
        queryset=Backbone.objects.all(), to_field_name="name", required=False
    )

    def __init__(self, *args, user, custom: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.custom = custom
        self.fields["dataset"].queryset = Dataset.objects.visible_to(user).filter(
            status=Dataset.Status.READY
        )

    def clean(self):
        cleaned = super().clean()
        if self.custom:
            return cleaned
        template, backbone = cleaned.get("template"), cleaned.get("backbone")
        dataset = cleaned.get("dataset")
        for field in ("template", "backbone"):
            if field not in self.errors and not cleaned.get(field):
                self.add_error(field, "This field is required without a config.")
        if template and backbone and not template.fits(backbone):
            self.add_error(
                "backbone", f"{backbone} does not fit the {template} template."
            )
        if template and dataset and dataset.task_type != template.task_type:
            self.add_error(
                "dataset",
                f"{dataset} is a {dataset.get_task_type_display().lower()} dataset; "
                f"the {template} template needs "
                f"{template.get_task_type_display().lower()}.",
            )
        return cleaned

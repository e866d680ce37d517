from django import forms

from datasets.models import Band, Dataset

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


BandFormSet = forms.formset_factory(BandForm, extra=0, min_num=1, validate_min=True)


def band_initial(dataset: Dataset) -> list[dict]:
    return [
        {
            "index": band.index,
            "use": True,
            "name": band.name,
            "scaling_factor": band.scaling_factor,
            "rgb": band.rgb,
        }
        for band in dataset.bands.all()
    ]

"""A template's parameter schema, turned into a validated form.

Each spec is a dict: name, label, tab (data, model, optimizer, runner), type
(int, float, bool, choice), default, help, and min / max or choices.
"""

from typing import Any

from django import forms

TABS = ["data", "model", "optimizer", "runner"]


def defaults(specs: list[dict[str, Any]]) -> dict[str, Any]:
    return {spec["name"]: spec["default"] for spec in specs}


class ParametersForm(forms.Form):
    """The parameters step of the wizard; also validates API and batch input."""

    def __init__(self, specs: list[dict[str, Any]], *args, train_chips=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.specs = specs
        self.train_chips = train_chips
        for spec in specs:
            field = _field_for(spec)
            field.tab = spec["tab"]
            self.fields[spec["name"]] = field

    def tabs(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [
            (tab, [self[name] for name, f in self.fields.items() if f.tab == tab])
            for tab in TABS
            if any(f.tab == tab for f in self.fields.values())
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        batch_size = cleaned.get("batch_size")
        # The last incomplete training batch is dropped (BatchNorm cannot
        # train on a batch of one), so a batch larger than the training split
        # would leave nothing to train on.
        if (
            self.train_chips is not None
            and batch_size
            and batch_size > self.train_chips
        ):
            self.add_error(
                "batch_size",
                f"The dataset has {self.train_chips} training chips; "
                f"a batch of {batch_size} cannot be filled.",
            )
        # UperNet pools each feature map down to one value per channel and
        # normalises it over the batch: a batch of one has nothing to
        # normalise. The other decoders normalise over whole feature maps.
        if batch_size == 1 and cleaned.get("decoder") == "UperNetDecoder":
            self.add_error(
                "batch_size",
                "The UperNet decoder needs at least 2 chips a batch; choose "
                "another decoder to train on one chip at a time.",
            )
        return cleaned


def _field_for(spec: dict[str, Any]) -> forms.Field:
    common = {
        "label": spec["label"],
        "help_text": spec["help"],
        "initial": spec["default"],
    }
    kind = spec["type"]
    if kind == "int":
        return forms.IntegerField(
            min_value=spec.get("min"), max_value=spec.get("max"), **common
        )
    if kind == "float":
        return forms.FloatField(
            min_value=spec.get("min"),
            max_value=spec.get("max"),
            widget=forms.NumberInput(attrs={"step": "any"}),
            **common,
        )
    if kind == "bool":
        return forms.BooleanField(required=False, **common)
    if kind == "choice":
        return forms.ChoiceField(choices=[(c, c) for c in spec["choices"]], **common)
    raise ValueError(f"Unknown parameter type {kind!r} for {spec['name']}")

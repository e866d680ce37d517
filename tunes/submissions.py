"""A tune described as data, checked and turned into an unsaved Tune.

The JSON API and the create_tunes command take the same description: a name,
a dataset, and either a template with its backbone, parameters and bands, or a
complete TerraTorch config.
"""

from typing import Any

from . import bands, configs
from .forms import TuneRequestForm, band_initial
from .models import Tune
from .parameters import ParametersForm, defaults
from .weights import WeightsError, decide

BAND_KEYS = {"index", "use", "name", "scaling_factor", "native"}
JSON_TYPE_ERRORS = {
    "int": "Give a whole number.",
    "float": "Give a number.",
    "bool": "Give true or false.",
    "choice": "Give one of the choices, as a string.",
}


class TuneRequestError(Exception):
    """What is wrong with a description, as {field: [message, ...]}."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(errors)
        self.errors = errors


def prepare_tune(body: dict[str, Any], owner) -> tuple[Tune, dict[str, Any]]:
    """An unsaved tune for ``owner`` and the config it would train from.

    Raises TuneRequestError naming every field that is wrong.
    """
    custom = "config" in body
    if custom and body.keys() & {"template", "backbone", "parameters", "bands"}:
        raise TuneRequestError(
            {
                "config": [
                    "Give either a config, or a template with its backbone, "
                    "parameters and bands; not both."
                ]
            }
        )
    # A form would read true as 1 and "no" as on: JSON gets its own types.
    wrong = {
        field: [f"Give a {kind}."]
        for field, kind, ok in [
            ("name", "string", isinstance(body.get("name"), str)),
            ("description", "string", isinstance(body.get("description", ""), str)),
            ("dataset", "whole number", _is_int(body.get("dataset"))),
        ]
        if not ok
    }
    if wrong:
        raise TuneRequestError(wrong)
    form = TuneRequestForm(body, user=owner, custom=custom)
    if not form.is_valid():
        raise TuneRequestError({field: list(m) for field, m in form.errors.items()})
    dataset = form.cleaned_data["dataset"]
    tune = Tune(
        owner=owner,
        name=form.cleaned_data["name"],
        description=form.cleaned_data["description"],
        dataset=dataset,
    )

    if custom:
        try:
            config, backbone, template = configs.check_custom(body["config"], dataset)
        except configs.ConfigError as exc:
            raise TuneRequestError({"config": exc.messages}) from None
        tune.template, tune.backbone, tune.custom_config = template, backbone, config
        tune.bands = configs.custom_bands(config, dataset, backbone)
    else:
        tune.template = form.cleaned_data["template"]
        tune.backbone = form.cleaned_data["backbone"]
        errors: dict[str, list[str]] = {}
        tune.parameters = _parameters(body.get("parameters"), tune, errors)
        tune.bands = _bands(body.get("bands"), tune, errors)
        if errors:
            raise TuneRequestError(errors)

    try:
        config = configs.render(tune, decide(tune.backbone))
    except (WeightsError, ValueError) as exc:
        raise TuneRequestError({"__all__": [str(exc)]}) from None
    return tune, config


def _parameters(given: Any, tune: Tune, errors: dict[str, list[str]]) -> dict:
    specs = tune.template.parameters
    if given is None:
        given = {}
    if not isinstance(given, dict):
        errors["parameters"] = ["Give the parameters as an object."]
        return {}
    unknown = sorted(set(given) - {spec["name"] for spec in specs})
    if unknown:
        errors["parameters"] = [f"Unknown parameters: {', '.join(unknown)}."]
    for spec in specs:
        if spec["name"] in given and not _json_type_fits(spec, given[spec["name"]]):
            errors.setdefault(f"parameters.{spec['name']}", []).append(
                JSON_TYPE_ERRORS[spec["type"]]
            )
            given = {k: v for k, v in given.items() if k != spec["name"]}
    train_chips = tune.dataset.chips.filter(split="train").count()
    form = ParametersForm(specs, {**defaults(specs), **given}, train_chips=train_chips)
    if not form.is_valid():
        for field, messages in form.errors.items():
            key = "parameters" if field == "__all__" else f"parameters.{field}"
            errors.setdefault(key, []).extend(messages)
        return {}
    return form.cleaned_data


def _bands(given: Any, tune: Tune, errors: dict[str, list[str]]) -> list[dict]:
    """The dataset's bands as suggested for the backbone, with the request's changes."""
    rows = band_initial(tune.dataset, tune.backbone)
    if given is None:
        given = []
    if not isinstance(given, list) or not all(isinstance(b, dict) for b in given):
        errors["bands"] = ["Give the bands as a list of objects."]
        return rows
    by_index = {row["index"]: row for row in rows}
    for position, band in enumerate(given):
        unknown = sorted(set(band) - BAND_KEYS)
        if unknown or band.get("index") not in by_index:
            errors[f"bands.{position}"] = [
                "Each band needs the index of a band of the dataset, and "
                f"may set {', '.join(sorted(BAND_KEYS - {'index'}))}."
            ]
            continue
        by_index[band["index"]].update(band)

    if not any(row["use"] for row in rows):
        errors.setdefault("bands", []).append("Use at least one band.")
    row_errors, error = bands.mapping_errors(tune.backbone, rows)
    for position, message in row_errors.items():
        errors.setdefault(f"bands.{position}.native", []).append(message)
    if error:
        errors.setdefault("bands", []).append(error)
    return rows


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _json_type_fits(spec: dict[str, Any], value: Any) -> bool:
    kind = spec["type"]
    if kind == "int":
        return _is_int(value)
    if kind == "float":
        return _is_int(value) or isinstance(value, float)
    if kind == "bool":
        return isinstance(value, bool)
    return isinstance(value, str)

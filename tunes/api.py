"""The JSON API: create tunes from a template or a complete TerraTorch config.

Requests are authenticated by the studio's session, like its pages: a client
signs in, then sends the CSRF token in an ``X-CSRFToken`` header with each
POST. Errors come back as ``{"errors": {field: [message, ...]}}``. docs/api.md
describes every call; /api/openapi.json is the machine-readable version.
"""

import json
from functools import wraps
from pathlib import Path
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.http import Http404, HttpRequest, JsonResponse
from django.views.decorators.http import require_GET, require_POST

from . import bands, configs, export, jobs
from .forms import TuneRequestForm, band_initial
from .models import Tune
from .parameters import ParametersForm, defaults
from .views import _get_tune_for_user
from .weights import WeightsError, decide

OPENAPI_PATH = Path(__file__).resolve().parent / "openapi.json"
BAND_KEYS = {"index", "use", "name", "scaling_factor", "native"}


def api_view(view):
    """JSON for the anonymous and for missing tunes, instead of HTML pages."""

    @login_not_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not request.user.is_authenticated:
            return _errors({"__all__": ["Sign in first."]}, status=401)
        try:
            return view(request, *args, **kwargs)
        except Http404:
            return _errors({"__all__": ["Not found."]}, status=404)

    return wrapper


@require_GET
@api_view
def show_openapi(request: HttpRequest) -> JsonResponse:
    return JsonResponse(json.loads(OPENAPI_PATH.read_text()))


@require_POST
@api_view
def create_tune(request: HttpRequest) -> JsonResponse:
    """Create and queue a tune; with ``?dry_run=1``, only render its config."""
    try:
        body = json.loads(request.body or b"{}")
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        return _errors({"__all__": [f"The body is not JSON: {exc}"]})
    if not isinstance(body, dict):
        return _errors({"__all__": ["The body must be a JSON object."]})
    custom = "config" in body
    if custom and body.keys() & {"template", "backbone", "parameters", "bands"}:
        return _errors(
            {
                "config": [
                    "Give either a config, or a template with its backbone, "
                    "parameters and bands; not both."
                ]
            }
        )
    form = TuneRequestForm(body, user=request.user, custom=custom)
    if not form.is_valid():
        return _errors(form.errors)
    dataset = form.cleaned_data["dataset"]
    tune = Tune(
        owner=request.user,
        name=form.cleaned_data["name"],
        description=form.cleaned_data["description"],
        dataset=dataset,
    )

    if custom:
        try:
            config, backbone, template = configs.check_custom(body["config"], dataset)
        except configs.ConfigError as exc:
            return _errors({"config": exc.messages})
        tune.template, tune.backbone, tune.custom_config = template, backbone, config
        tune.bands = configs.custom_bands(config, dataset, backbone)
    else:
        tune.template = form.cleaned_data["template"]
        tune.backbone = form.cleaned_data["backbone"]
        errors: dict[str, list[str]] = {}
        tune.parameters = _parameters(body.get("parameters"), tune, errors)
        tune.bands = _bands(body.get("bands"), tune, errors)
        if errors:
            return _errors(errors)

    try:
        config = configs.render(tune, decide(tune.backbone))
    except (WeightsError, ValueError) as exc:
        return _errors({"__all__": [str(exc)]})
    if request.GET.get("dry_run") in {"1", "true", "yes"}:
        return JsonResponse({"config": config})

    with transaction.atomic():
        tune.save()
        jobs.queue_tune(tune)
    return JsonResponse(_summary(tune) | {"config": config}, status=201)


@require_GET
@api_view
def show_tune(request: HttpRequest, tune_id: int) -> JsonResponse:
    return JsonResponse(_summary(_get_tune_for_user(request, tune_id)))


@require_GET
@api_view
def show_config(request: HttpRequest, tune_id: int) -> JsonResponse:
    """The tune's TerraTorch config, as its download holds it."""
    tune = _get_tune_for_user(request, tune_id)
    try:
        return JsonResponse({"config": export.export_config(tune)})
    except (WeightsError, ValueError) as exc:
        return _errors({"__all__": [str(exc)]}, status=409)


def _errors(errors: dict[str, Any], status: int = 400) -> JsonResponse:
    return JsonResponse(
        {"errors": {field: list(messages) for field, messages in errors.items()}},
        status=status,
    )


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


def _summary(tune: Tune) -> dict[str, Any]:
    return {
        "id": tune.pk,
        "name": tune.name,
        "url": tune.get_absolute_url(),
        "status": tune.status,
        "status_message": tune.status_message,
        "template": tune.template.slug,
        "backbone": tune.backbone.name,
        "dataset": tune.dataset_id,
        "custom_config": bool(tune.custom_config),
        "weights_source": tune.weights_source,
        "epoch": tune.epoch,
        "max_epochs": tune.max_epochs,
        "test_metrics": tune.test_metrics,
    }

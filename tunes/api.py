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

from . import export, jobs, submissions
from .models import Tune
from .views import _get_tune_for_user
from .weights import WeightsError

OPENAPI_PATH = Path(__file__).resolve().parent / "openapi.json"


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
    try:
        tune, config = submissions.prepare_tune(body, request.user)
    except submissions.TuneRequestError as exc:
        return _errors(exc.errors)
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

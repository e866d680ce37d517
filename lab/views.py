from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.text import slugify
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
)

from tunes.models import Tune

from . import tiles
from .config import INPUT_LAYER, LAYER_KEYS, lab_config, run_config
from .forms import LabConfigForms, RunForm, default_dates
from .jobs import queue_run
from .models import InferenceRun, Scene

# htmx stops polling when a response has this status.
STOP_POLLING = 286
SESSION_CONFIG_KEY = "lab_config:{}"
RECENT_RUNS = 10
# Footprints drawn on the lab's map; a catalog larger than this shows only
# its newest scenes.
MAX_FOOTPRINTS = 500
AREA_AND_DATES = ["west", "south", "east", "north", "start_date", "end_date"]


@require_GET
def show_lab(request: HttpRequest) -> HttpResponse:
    runs = InferenceRun.objects.owned_by(request.user).select_related("tune")
    tunes = (
        Tune.objects.visible_to(request.user)
        .filter(status=Tune.Status.FINISHED)
        .select_related("template", "backbone")
    )
    return render(request, "lab/show_lab.html", {"runs": runs, "tunes": tunes})


@require_http_methods(["GET", "POST"])
def edit_lab_config(request: HttpRequest, tune_id: int) -> HttpResponse:
    """The "Try in Lab" dialog: the tune's source, bands, categories and layers."""
    tune = _get_tune_for_user(request, tune_id)
    config = _config_for(request, tune)
    forms = LabConfigForms(config, request.POST if request.method == "POST" else None)
    if request.method == "POST" and forms.is_valid():
        saved = forms.cleaned_config()
        if tune.owner_id == request.user.pk:
            Tune.objects.filter(pk=tune.pk).update(lab_config=saved)
        else:
            # Another user's shared tune: the changes are this person's own.
            request.session[SESSION_CONFIG_KEY.format(tune.pk)] = saved
        url = reverse("lab:show_tune_lab", args=[tune.pk])
        if request.htmx:
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        return redirect(url)

    context = {"tune": tune, "forms": forms}
    if request.htmx:
        response = render(request, "lab/edit_lab_config.html#lab-config", context)
    else:
        response = render(request, "lab/edit_lab_config.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_GET
def show_tune_lab(request: HttpRequest, tune_id: int) -> HttpResponse:
    """The lab for one tune: a map to choose the area, and the run form."""
    tune = _get_tune_for_user(request, tune_id)
    config = _config_for(request, tune)
    initial = _run_initial(request, tune, config)
    return _render_tune_lab(request, tune, config, RunForm(initial=initial))


@require_POST
def create_run(request: HttpRequest, tune_id: int) -> HttpResponse:
    tune = _get_tune_for_user(request, tune_id)
    config = _config_for(request, tune)
    form = RunForm(request.POST, request.FILES)
    if tune.status != Tune.Status.FINISHED:
        form.add_error(None, "Only a finished tune can run in the lab.")
    if not form.is_valid():
        return _render_tune_lab(request, tune, config, form, status=400)

    data = form.cleaned_data
    upload = data["source"] == InferenceRun.Source.UPLOAD
    # An upload is run as it is: its area is the file's, found by the job.
    where_and_when = {} if upload else {key: data[key] for key in AREA_AND_DATES}
    with transaction.atomic():
        run = InferenceRun.objects.create(
            owner=request.user,
            tune=tune,
            tune_name=tune.name,
            task_type=tune.template.task_type,
            name=data["name"],
            source=data["source"],
            config=run_config(tune, config),
            upload_name=data["upload"].name if upload else "",
            **where_and_when,
        )
        if upload:
            _save_upload(data["upload"], run)
        queue_run(run)
    messages.success(request, f"Run “{run.name}” was queued.")
    return redirect(run)


@require_GET
def show_run(request: HttpRequest, run_id: int) -> HttpResponse:
    run = _get_run_for_user(request, run_id)
    context = {"run": run, "legend": tiles.legend(run)}
    if request.htmx:
        response = render(request, "lab/show_run.html#run-status", context)
        if run.is_final:
            response.status_code = STOP_POLLING
    else:
        context["map_data"] = _run_map_data(run)
        response = render(request, "lab/show_run.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_GET
def download_output(request: HttpRequest, run_id: int, layer: str) -> FileResponse:
    run = _get_run_for_user(request, run_id)
    path = _layer_path(run, layer)
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=f"{slugify(run.name) or 'run'}-{run.pk}-{layer}.tif",
        content_type="image/tiff",
    )


@require_GET
def render_tile(
    request: HttpRequest, run_id: int, layer: str, z: int, x: int, y: int
) -> HttpResponse:
    run = _get_run_for_user(request, run_id)
    _layer_path(run, layer)
    response = HttpResponse(
        tiles.render_tile(run, layer, z, x, y), content_type="image/png"
    )
    # A finished run's files never change; only its owner may see them.
    response["Cache-Control"] = "private, max-age=3600"
    return response


@require_GET
def show_tune_history(request: HttpRequest, tune_id: int) -> HttpResponse:
    """The model page's history table, polled while a run is unfinished."""
    tune = _get_tune_for_user(request, tune_id)
    response = render(request, "lab/tune_history.html", {"tune": tune})
    unfinished = InferenceRun.objects.owned_by(request.user).filter(
        tune=tune, status__in=[InferenceRun.Status.QUEUED, InferenceRun.Status.RUNNING]
    )
    if not unfinished.exists():
        response.status_code = STOP_POLLING
    return response


def _get_run_for_user(request: HttpRequest, run_id: int) -> InferenceRun:
    return get_object_or_404(
        InferenceRun.objects.owned_by(request.user).select_related("tune"),
        pk=run_id,
    )


def _get_tune_for_user(request: HttpRequest, tune_id: int) -> Tune:
    return get_object_or_404(
        Tune.objects.visible_to(request.user).select_related(
            "template", "backbone", "dataset"
        ),
        pk=tune_id,
    )


def _config_for(request: HttpRequest, tune: Tune) -> dict[str, Any]:
    if tune.owner_id == request.user.pk:
        return lab_config(tune)
    return lab_config(tune, request.session.get(SESSION_CONFIG_KEY.format(tune.pk)))


def _layer_path(run: InferenceRun, layer: str):
    if layer not in LAYER_KEYS or run.status != InferenceRun.Status.FINISHED:
        raise Http404("No such layer")
    path = run.input_path if layer == INPUT_LAYER else run.prediction_path
    if not path.is_file():
        raise Http404("This run's output is gone")
    return path


def _save_upload(upload, run: InferenceRun) -> None:
    run.folder.mkdir(parents=True, exist_ok=True)
    with run.upload_path.open("wb") as file:
        for chunk in upload.chunks():
            file.write(chunk)


def _matching_scenes(config: dict[str, Any]):
    scenes = Scene.objects.all()
    if collection := config["source"].get("collection"):
        scenes = scenes.filter(collection=collection)
    if suffix := config.get("file_suffix"):
        scenes = scenes.filter(path__endswith=suffix)
    return scenes


def _run_initial(request: HttpRequest, tune: Tune, config: dict[str, Any]):
    """The run form's first values: a run to repeat, or the catalog's dates."""
    dates = list(_matching_scenes(config).values_list("acquired", flat=True).distinct())
    start, end = default_dates(dates)
    initial = {
        "name": f"{tune.name} run",
        "source": config["source"]["kind"],
        "start_date": start,
        "end_date": end,
    }
    previous = request.GET.get("from_run", "")
    if previous.isdigit():
        run = InferenceRun.objects.owned_by(request.user).filter(pk=previous).first()
        if run is not None:
            initial.update(name=f"{run.name} again", source=run.source)
            if run.has_area and run.source != InferenceRun.Source.UPLOAD:
                initial.update(
                    west=run.west,
                    south=run.south,
                    east=run.east,
                    north=run.north,
                    start_date=run.start_date,
                    end_date=run.end_date,
                )
    return initial


def _render_tune_lab(
    request: HttpRequest,
    tune: Tune,
    config: dict[str, Any],
    form: RunForm,
    status: int = 200,
) -> HttpResponse:
    scenes = _matching_scenes(config)[:MAX_FOOTPRINTS]
    footprints = [
        {
            "name": scene.name,
            "collection": scene.collection,
            "acquired": scene.acquired.isoformat(),
            "placeholder": scene.acquired_is_placeholder,
            "bbox": list(scene.bbox),
            "bands": ", ".join(scene.bands) or f"{scene.band_count} unnamed bands",
        }
        for scene in scenes
    ]
    runs = InferenceRun.objects.owned_by(request.user).filter(tune=tune)
    context = {
        "tune": tune,
        "config": config,
        "form": form,
        "runs": runs[:RECENT_RUNS],
        "map_data": {"footprints": footprints},
        "has_placeholder_dates": any(each["placeholder"] for each in footprints),
    }
    return render(request, "lab/show_tune_lab.html", context, status=status)


def _run_map_data(run: InferenceRun) -> dict[str, Any]:
    layers = []
    for layer in sorted(run.config.get("layers", []), key=lambda each: each["z_index"]):
        layers.append(
            {
                "key": layer["key"],
                "name": layer["name"],
                "z_index": layer["z_index"],
                "url": reverse(
                    "lab:render_tile", args=[run.pk, layer["key"], 0, 0, 0]
                ).replace("/0/0/0.png", "/{z}/{x}/{y}.png"),
            }
        )
    # The area and the status travel in the status panel, which polling
    # replaces; the layers never change.
    return {"layers": layers}

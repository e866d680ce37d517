import json
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
)

from datasets.models import Dataset

from . import charts, jobs
from .forms import BandFormSet, DatasetForm, SetupForm, band_initial
from .models import Backbone, Template, Tune
from .parameters import ParametersForm, defaults

STEPS = [
    ("setup", "Set-up"),
    ("dataset", "Dataset"),
    ("parameters", "Parameters"),
    ("review", "Review"),
]
STEP_NAMES = [slug for slug, _ in STEPS]
DRAFT_KEY = "tune_draft"
# htmx stops polling when a response has this status.
STOP_POLLING = 286
# The catalog shows the newest tunes a page at a time.
TUNES_PER_PAGE = 48


@require_GET
def list_models(request: HttpRequest) -> HttpResponse:
    tunes = (
        Tune.objects.visible_to(request.user)
        .select_related("backbone", "template", "dataset")
        .order_by("-created", "-pk")
    )
    page = Paginator(tunes, TUNES_PER_PAGE).get_page(request.GET.get("page"))
    backbones = Backbone.objects.all()
    return render(
        request,
        "tunes/list_models.html",
        {"tunes": page, "page": page, "backbones": backbones},
    )


@require_GET
def show_backbone(request: HttpRequest, backbone_id: int) -> HttpResponse:
    backbone = get_object_or_404(Backbone, pk=backbone_id)
    tunes = Tune.objects.visible_to(request.user).filter(backbone=backbone)
    return render(
        request,
        "tunes/show_backbone.html",
        {"backbone": backbone, "templates": backbone.templates(), "tunes": tunes},
    )


@require_GET
def create_tune(request: HttpRequest) -> HttpResponse:
    """Start a fresh draft in the create-tune wizard."""
    request.session.pop(DRAFT_KEY, None)
    return redirect("tunes:edit_draft", step="setup")


@require_http_methods(["GET", "POST"])
def edit_draft(request: HttpRequest, step: str) -> HttpResponse:
    if step not in STEP_NAMES:
        raise Http404("No such step")
    draft = request.session.get(DRAFT_KEY, {})
    missing = _first_missing_step(draft)
    if missing is not None and STEP_NAMES.index(step) > STEP_NAMES.index(missing):
        return redirect("tunes:edit_draft", step=missing)

    handler = {
        "setup": _setup_step,
        "dataset": _dataset_step,
        "parameters": _parameters_step,
        "review": _review_step,
    }[step]
    result = handler(request, draft)
    if isinstance(result, HttpResponse):
        return result

    context = {
        "step": step,
        "steps": STEPS,
        "step_index": STEP_NAMES.index(step),
        "previous_step": STEP_NAMES[STEP_NAMES.index(step) - 1]
        if step != "setup"
        else "",
        "draft": draft,
        **result,
    }
    if request.htmx:
        response = render(request, "tunes/edit_draft.html#wizard", context)
        response["HX-Push-Url"] = request.get_full_path()
    else:
        response = render(request, "tunes/edit_draft.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_GET
def show_tune(request: HttpRequest, tune_id: int) -> HttpResponse:
    tune = _get_tune_for_user(request, tune_id)
    context = {
        "tune": tune,
        "charts": charts.epoch_charts(tune),
        "test_metrics": sorted(tune.test_metrics.items()),
        "class_scores": _class_scores(tune),
        "chips": _dataset_chip_counts(tune.dataset),
    }
    if request.htmx:
        response = render(request, "tunes/show_tune.html#tune-live", context)
        if tune.is_final:
            response.status_code = STOP_POLLING
    else:
        response = render(request, "tunes/show_tune.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_GET
def show_tune_card(request: HttpRequest, tune_id: int) -> HttpResponse:
    tune = _get_tune_for_user(request, tune_id)
    response = render(request, "tunes/list_models.html#tune-card", {"tune": tune})
    if tune.is_final:
        response.status_code = STOP_POLLING
    return response


@require_POST
def cancel_tune(request: HttpRequest, tune_id: int) -> HttpResponse:
    tune = _get_tune_for_user(request, tune_id, owned=True)
    if jobs.cancel_tune(tune):
        messages.success(request, f"Tune “{tune.name}” was cancelled.")
    else:
        messages.error(request, f"Tune “{tune.name}” has already ended.")
    return _redirect(request, tune.get_absolute_url())


@require_POST
def retry_tune(request: HttpRequest, tune_id: int) -> HttpResponse:
    tune = _get_tune_for_user(request, tune_id, owned=True)
    with transaction.atomic():
        retried = jobs.retry_tune(tune)
    if retried:
        messages.success(request, f"Tune “{tune.name}” was queued again.")
    else:
        messages.error(request, "Only a failed or cancelled tune can be retried.")
    return _redirect(request, tune.get_absolute_url())


@require_http_methods(["GET", "POST"])
def delete_tune(request: HttpRequest, tune_id: int) -> HttpResponse:
    tune = _get_tune_for_user(request, tune_id, owned=True)
    if request.method == "GET":
        template = "tunes/delete_tune.html"
        if request.htmx:
            template += "#confirm"
        return render(request, template, {"tune": tune})

    jobs.delete_tune(tune)
    messages.success(request, f"Tune “{tune.name}” was deleted.")
    return _redirect(request, reverse("tunes:list_models"))


@require_POST
def duplicate_tune(request: HttpRequest, tune_id: int) -> HttpResponse:
    """Open the wizard filled in from another tune, under a new name."""
    tune = _get_tune_for_user(request, tune_id)
    draft = {
        "name": f"Copy of {tune.name}"[:200],
        "description": tune.description,
        "template": tune.template_id,
        "backbone": tune.backbone_id,
        "parameters": tune.parameters,
    }
    if Dataset.objects.visible_to(request.user).filter(pk=tune.dataset_id).exists():
        draft.update(dataset=tune.dataset_id, bands=tune.bands)
    request.session[DRAFT_KEY] = draft
    return _redirect(request, reverse("tunes:edit_draft", args=["setup"]))


@require_GET
def download_log(request: HttpRequest, tune_id: int) -> FileResponse:
    tune = _get_tune_for_user(request, tune_id)
    if not tune.log_path.is_file():
        raise Http404("This tune has no log yet")
    return FileResponse(
        tune.log_path.open("rb"),
        as_attachment=True,
        filename=f"tune-{tune.pk}.log",
        content_type="text/plain",
    )


def _get_tune_for_user(request: HttpRequest, tune_id: int, owned=False) -> Tune:
    """The tune if the user may see it (or, with ``owned``, change it); else 404."""
    tunes = (
        Tune.objects.filter(owner=request.user)
        if owned
        else Tune.objects.visible_to(request.user)
    )
    return get_object_or_404(
        tunes.select_related("template", "backbone", "dataset"), pk=tune_id
    )


def _redirect(request: HttpRequest, url: str) -> HttpResponse:
    """A redirect that htmx follows with a full page load."""
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


def _first_missing_step(draft: dict[str, Any]) -> str | None:
    if "template" not in draft:
        return "setup"
    if "dataset" not in draft:
        return "dataset"
    if "parameters" not in draft:
        return "parameters"
    return None


def _draft_objects(draft: dict[str, Any]) -> tuple[Template, Backbone]:
    template = get_object_or_404(Template, pk=draft["template"])
    backbone = get_object_or_404(Backbone, pk=draft["backbone"])
    return template, backbone


def _save_draft(request: HttpRequest, draft: dict[str, Any], next_step: str):
    request.session[DRAFT_KEY] = draft
    return redirect("tunes:edit_draft", step=next_step)


def _setup_step(request: HttpRequest, draft: dict[str, Any]):
    if request.method == "POST":
        form = SetupForm(request.POST)
        if form.is_valid():
            template = form.cleaned_data["template"]
            backbone = form.cleaned_data["backbone"]
            if draft.get("template") != template.pk:
                # Another template has other parameters: start them afresh.
                draft.pop("parameters", None)
                draft.pop("dataset", None)
            if draft.get("backbone") != backbone.pk:
                # The bands were mapped onto the other backbone's bands.
                draft.pop("dataset", None)
                draft.pop("bands", None)
            draft.update(
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                template=template.pk,
                backbone=backbone.pk,
            )
            return _save_draft(request, draft, "dataset")
    else:
        initial = {
            key: draft.get(key)
            for key in ("name", "description", "template", "backbone")
        }
        if "template" in request.GET:
            initial["template"] = request.GET["template"]
        form = SetupForm(initial=initial)
    return {"form": form}


def _dataset_step(request: HttpRequest, draft: dict[str, Any]):
    template, backbone = _draft_objects(draft)
    data = request.POST if request.method == "POST" else None
    form = DatasetForm(
        data,
        user=request.user,
        template=template,
        initial={"dataset": request.GET.get("dataset", draft.get("dataset"))},
    )
    dataset = _chosen_dataset(form, request, draft)
    bands = None
    if dataset is not None:
        bands = _band_formset(data, draft, dataset, backbone)

    if data is not None and form.is_valid() and bands is not None and bands.is_valid():
        rows = [row for row in bands.cleaned_data if row]
        error = _band_error(dataset, backbone, rows)
        if error:
            bands._non_form_errors = bands.error_class([error])
        else:
            if draft.get("dataset") != dataset.pk:
                draft.pop("parameters", None)
            draft.update(dataset=dataset.pk, bands=rows, bands_backbone=backbone.pk)
            return _save_draft(request, draft, "parameters")
    return {"form": form, "dataset": dataset, "bands": bands, "backbone": backbone}


def _band_formset(data, draft: dict[str, Any], dataset: Dataset, backbone: Backbone):
    if data is not None:
        return BandFormSet(data, prefix="band", backbone=backbone)
    # A mapping made for another backbone names bands this one may not have.
    if (
        draft.get("dataset") == dataset.pk
        and draft.get("bands")
        and draft.get("bands_backbone", backbone.pk) == backbone.pk
    ):
        return BandFormSet(initial=draft["bands"], prefix="band", backbone=backbone)
    return BandFormSet(
        initial=band_initial(dataset, backbone), prefix="band", backbone=backbone
    )


def _chosen_dataset(form: DatasetForm, request: HttpRequest, draft) -> Dataset | None:
    raw = (
        request.POST.get("dataset")
        if request.method == "POST"
        else request.GET.get("dataset", draft.get("dataset"))
    )
    try:
        return form.fields["dataset"].queryset.get(pk=int(raw))
    except (TypeError, ValueError, Dataset.DoesNotExist):
        return None


def _band_error(
    dataset: Dataset, backbone: Backbone, rows: list[dict[str, Any]]
) -> str:
    indices = sorted(row["index"] for row in rows)
    expected = sorted(dataset.bands.values_list("index", flat=True))
    if indices != expected:
        return "The bands do not match the dataset's; reload the page."
    if not any(row["use"] for row in rows):
        if backbone.native_bands:
            return (
                f"Use at least one band. {backbone.name} takes "
                f"{', '.join(backbone.native_bands)}."
            )
        return "Use at least one band."
    names = [row["name"] for row in rows if row["use"]]
    if len(set(names)) != len(names):
        return "Band names must be unique."
    return ""


def _parameters_step(request: HttpRequest, draft: dict[str, Any]):
    template, _ = _draft_objects(draft)
    dataset = get_object_or_404(
        Dataset.objects.visible_to(request.user), pk=draft["dataset"]
    )
    train_chips = dataset.chips.filter(split="train").count()
    if request.method == "POST":
        form = ParametersForm(
            template.parameters, request.POST, train_chips=train_chips
        )
        if form.is_valid():
            draft["parameters"] = form.cleaned_data
            return _save_draft(request, draft, "review")
    else:
        initial = {**defaults(template.parameters), **draft.get("parameters", {})}
        form = ParametersForm(
            template.parameters, initial=initial, train_chips=train_chips
        )
    return {"form": form, "template": template}


def _review_step(request: HttpRequest, draft: dict[str, Any]):
    template, backbone = _draft_objects(draft)
    dataset = get_object_or_404(
        Dataset.objects.visible_to(request.user), pk=draft["dataset"]
    )
    if request.method == "POST":
        with transaction.atomic():
            tune = Tune.objects.create(
                owner=request.user,
                name=draft["name"],
                description=draft["description"],
                template=template,
                backbone=backbone,
                dataset=dataset,
                parameters=draft["parameters"],
                bands=draft["bands"],
            )
            jobs.queue_tune(tune)
        request.session.pop(DRAFT_KEY, None)
        messages.success(
            request, f"Tune “{tune.name}” was submitted. Follow its status below."
        )
        return _redirect(request, reverse("tunes:list_models"))

    specs = {spec["name"]: spec for spec in template.parameters}
    parameters = [
        (specs[name]["label"], value, specs[name]["tab"])
        for name, value in draft["parameters"].items()
        if name in specs
    ]
    return {
        "template": template,
        "backbone": backbone,
        "dataset": dataset,
        "parameters": parameters,
        "parameters_json": json.dumps(draft["parameters"], indent=2),
    }


def _class_scores(tune: Tune) -> list[tuple[str, float | None, float | None]]:
    """Test IoU and accuracy per label category, as TerraTorch names them."""
    scores = tune.test_metrics
    return [
        (
            category.name,
            scores.get(f"IoU_{category.name}"),
            scores.get(f"Class_Accuracy_{category.name}"),
        )
        for category in tune.dataset.label_categories.all()
        if f"IoU_{category.name}" in scores
    ]


def _dataset_chip_counts(dataset: Dataset) -> dict[str, int]:
    rows = dataset.chips.values("split").annotate(count=Count("id"))
    return {row["split"]: row["count"] for row in rows}

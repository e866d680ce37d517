import uuid
from collections import Counter
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.db.models import Count, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from .forms import DatasetForm
from .jobs import queue_onboarding
from .models import Chip, Dataset
from .specs import save_dataset

LOG_TAIL_LINES = 40
LOG_TAIL_BYTES = 16 * 1024
SPLITS = [Chip.Split.TRAIN, Chip.Split.VAL, Chip.Split.TEST]


@require_GET
def list_datasets(request):
    datasets = (
        Dataset.objects.visible_to(request.user)
        .select_related("owner")
        .annotate(
            **{
                f"{split}_chips": Count("chips", filter=Q(chips__split=split))
                for split in [*SPLITS, Chip.Split.EXCLUDED]
            }
        )
    )
    return render(request, "datasets/list_datasets.html", {"datasets": datasets})


@require_GET
@vary_on_headers("HX-Request")
def show_dataset(request, dataset_id):
    dataset = _get_dataset_for_user(request, dataset_id)
    chips = list(dataset.chips.all())
    counts = Counter(chip.split for chip in chips)
    context = {
        "dataset": dataset,
        "bands": dataset.bands.all(),
        "categories": dataset.label_categories.all(),
        "splits": [
            {
                "label": split.label,
                "count": counts[split],
                "chip_ids": [chip.chip_id for chip in chips if chip.split == split],
            }
            for split in SPLITS
        ],
        "excluded": [chip for chip in chips if chip.split == Chip.Split.EXCLUDED],
        "warned": [
            chip for chip in chips if chip.warning and chip.split != Chip.Split.EXCLUDED
        ],
        "log_tail": _log_tail(dataset.log_path),
        "has_log": dataset.log_path.is_file(),
    }
    if request.htmx:
        response = render(request, "datasets/show_dataset.html#details", context)
        if dataset.is_final:
            # htmx stops polling on 286.
            response.status_code = 286
        return response
    return render(request, "datasets/show_dataset.html", context)


@require_http_methods(["GET", "POST"])
def create_dataset(request):
    form = DatasetForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = _save_upload(form.cleaned_data["archive"])
        fields = {name: form.cleaned_data[name] for name in DatasetForm.Meta.fields}
        with transaction.atomic():
            dataset = save_dataset(
                form.cleaned_data["bands"],
                form.cleaned_data["categories"],
                owner=request.user,
                **fields,
            )
            queue_onboarding(dataset, upload)
        messages.success(
            request, f"Dataset “{dataset.name}” created: its chips are being checked."
        )
        return redirect("datasets:show_dataset", dataset_id=dataset.pk)
    return render(request, "datasets/create_dataset.html", {"form": form})


@require_GET
def download_log(request, dataset_id):
    dataset = _get_dataset_for_user(request, dataset_id)
    if not dataset.log_path.is_file():
        raise Http404("This dataset has no onboarding log yet.")
    return FileResponse(
        dataset.log_path.open("rb"),
        as_attachment=True,
        filename=f"dataset-{dataset.pk}-onboarding.log",
        content_type="text/plain; charset=utf-8",
    )


def _get_dataset_for_user(request, dataset_id) -> Dataset:
    # Another user's private dataset answers 404, not 403: its existence is
    # private too.
    return get_object_or_404(Dataset.objects.visible_to(request.user), pk=dataset_id)


def _save_upload(archive) -> Path:
    # Uploads live under the storage root, which is never served directly.
    folder = settings.STORAGE_ROOT / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{uuid.uuid4().hex}.zip"
    with path.open("wb") as destination:
        for chunk in archive.chunks():
            destination.write(chunk)
    return path


def _log_tail(path: Path) -> str:
    # The page polls while onboarding runs: read only the end of a long log.
    try:
        with path.open("rb") as log:
            log.seek(max(0, log.seek(0, 2) - LOG_TAIL_BYTES))
            text = log.read().decode("utf-8", errors="replace")
    except FileNotFoundError:
        return ""
    return "\n".join(text.splitlines()[-LOG_TAIL_LINES:])

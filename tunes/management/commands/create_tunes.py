import itertools
from pathlib import Path
from typing import Any

import yaml
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from datasets.models import Dataset
from tunes import jobs
from tunes.submissions import TuneRequestError, prepare_tune

EXAMPLE = """\
owner: studio                 # or --owner
tunes:                        # each as the JSON API takes it (docs/api.md)
  - name: Floods, ResNet-18
    dataset: Sen1Floods11 flood chips (Sentinel-1)   # a name or an id
    template: resnet-segmentation
    backbone: timm_resnet18
    parameters: {max_epochs: 10}
grid:                         # every combination of the lists below
  name: "{backbone} lr={lr} on {dataset}"
  template: resnet-segmentation
  backbones: [timm_resnet18, timm_resnet34]
  datasets: [Sen1Floods11 flood chips (Sentinel-1)]
  parameters: {lr: [0.001, 0.0001], max_epochs: 10}
"""


class Command(BaseCommand):
    help = (
        "Create tunes in batch from a YAML file, a list of tunes and/or a grid of "
        "backbones x datasets x parameters, and queue them. Every tune is checked "
        "first; if any is wrong, none is created. File format:\n\n" + EXAMPLE
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path, help="The YAML file.")
        parser.add_argument("--owner", help="Username owning the tunes.")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check the tunes and list them, without creating any.",
        )

    def handle(self, *args, file: Path, owner: str | None, dry_run: bool, **options):
        spec = _read(file)
        user = _owner(owner or spec.get("owner"))
        bodies = [*_listed(spec), *_grid(spec.get("grid"))]
        if not bodies:
            raise CommandError(f"{file} describes no tune: give `tunes` or `grid`.")

        prepared, problems = [], []
        for position, body in enumerate(bodies, start=1):
            label = f"tune {position} ({body.get('name', 'no name')})"
            try:
                body = {**body, "dataset": _dataset_id(body.get("dataset"), user)}
                prepared.append(prepare_tune(body, user)[0])
            except TuneRequestError as exc:
                for field, messages in exc.errors.items():
                    problems.append(f"{label}: {field}: {' '.join(messages)}")
        if problems:
            raise CommandError("Nothing was created:\n" + "\n".join(problems))

        for tune in prepared:
            self.stdout.write(
                f"{'Would create' if dry_run else 'Creating'} “{tune.name}”: "
                f"{tune.template.slug} / {tune.backbone.name} on {tune.dataset.name}"
            )
        if dry_run:
            return
        with transaction.atomic():
            for tune in prepared:
                tune.save()
                jobs.queue_tune(tune)
        self.stdout.write(self.style.SUCCESS(f"{len(prepared)} tunes queued."))


def _read(file: Path) -> dict[str, Any]:
    if not file.is_file():
        raise CommandError(f"{file} is not a file.")
    try:
        spec = yaml.safe_load(file.read_text())
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise CommandError(f"{file} is not valid YAML: {exc}") from None
    if not isinstance(spec, dict):
        raise CommandError(f"{file} must hold a mapping with `tunes` and/or `grid`.")
    unknown = sorted(set(spec) - {"owner", "tunes", "grid"})
    if unknown:
        raise CommandError(f"Unknown keys in {file}: {', '.join(unknown)}")
    return spec


def _owner(username: str | None):
    if not username:
        raise CommandError("Say who owns the tunes: --owner or `owner:` in the file.")
    try:
        return get_user_model().objects.get(username=username)
    except get_user_model().DoesNotExist:
        raise CommandError(f"No user named {username!r}.") from None


def _listed(spec: dict[str, Any]) -> list[dict[str, Any]]:
    tunes = spec.get("tunes") or []
    if not isinstance(tunes, list) or not all(isinstance(t, dict) for t in tunes):
        raise CommandError("`tunes` must be a list of mappings.")
    return tunes


def _grid(grid: Any) -> list[dict[str, Any]]:
    if not grid:
        return []
    if not isinstance(grid, dict):
        raise CommandError("`grid` must be a mapping.")
    unknown = sorted(
        set(grid) - {"name", "template", "backbones", "datasets", "parameters"}
    )
    if unknown:
        raise CommandError(f"Unknown keys in `grid`: {', '.join(unknown)}")
    for key in ("template", "backbones", "datasets"):
        if not grid.get(key):
            raise CommandError(f"`grid` needs `{key}`.")
    parameters = grid.get("parameters") or {}
    if not isinstance(parameters, dict):
        raise CommandError("`grid.parameters` must be a mapping.")
    # A list is a dimension of the grid; a single value is the same everywhere.
    axes = {k: v if isinstance(v, list) else [v] for k, v in parameters.items()}
    name = grid.get("name") or "{backbone} on {dataset}"
    bodies = []
    for backbone, dataset, *values in itertools.product(
        _as_list(grid["backbones"]), _as_list(grid["datasets"]), *axes.values()
    ):
        chosen = dict(zip(axes, values, strict=True))
        try:
            title = name.format(backbone=backbone, dataset=dataset, **chosen)
        except (KeyError, IndexError, ValueError) as exc:
            raise CommandError(f"`grid.name` cannot be filled in: {exc}") from None
        bodies.append(
            {
                "name": title,
                "template": grid["template"],
                "backbone": backbone,
                "dataset": dataset,
                "parameters": chosen,
            }
        )
    return bodies


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _dataset_id(value: Any, user) -> Any:
    """A dataset named by id or by name, as the owner sees it."""
    if isinstance(value, int) or value is None:
        return value
    matches = list(
        Dataset.objects.visible_to(user).filter(name=value).values_list("pk", flat=True)
    )
    if len(matches) == 1:
        return matches[0]
    problem = "no dataset" if not matches else f"{len(matches)} datasets"
    raise TuneRequestError({"dataset": [f"{problem} named {value!r} for this owner."]})

import shutil
from pathlib import Path

import yaml
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from tunes.lifecycle import move
from tunes.models import Tune
from tunes.submissions import TuneRequestError, prepare_tune


class Command(BaseCommand):
    help = (
        "Register a model tuned elsewhere as a finished tune: its TerraTorch "
        "config (YAML, as `terratorch fit` took it) and its Lightning checkpoint. "
        "The config is checked as the API checks a custom config, and every "
        "weight of the checkpoint must load into the model it describes. The "
        "tune then runs in the lab like any other."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("config", type=Path, help="The TerraTorch config YAML.")
        parser.add_argument("checkpoint", type=Path, help="The .ckpt file.")
        parser.add_argument("--name", required=True, help="The tune's name.")
        parser.add_argument(
            "--dataset",
            required=True,
            type=int,
            help="Id of the onboarded dataset it was tuned on (its bands, "
            "statistics and label categories).",
        )
        parser.add_argument("--owner", required=True, help="Username of the owner.")
        parser.add_argument("--description", default="")

    def handle(self, *args, config: Path, checkpoint: Path, **options) -> None:
        try:
            owner = get_user_model().objects.get(username=options["owner"])
        except get_user_model().DoesNotExist:
            raise CommandError(f"No user named {options['owner']!r}.") from None
        if not checkpoint.is_file():
            raise CommandError(f"{checkpoint} is not a file.")
        body = {
            "name": options["name"],
            "description": options["description"],
            "dataset": options["dataset"],
            "config": _read_config(config),
        }
        try:
            tune, _ = prepare_tune(body, owner)
        except TuneRequestError as exc:
            problems = [f"{field}: {' '.join(m)}" for field, m in exc.errors.items()]
            raise CommandError("\n".join(problems)) from None

        with transaction.atomic():
            tune.save()
            tune.checkpoint_path.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(checkpoint, tune.checkpoint_path)
            try:
                _check_loads(tune)
            except Exception as exc:
                shutil.rmtree(tune.folder, ignore_errors=True)
                raise CommandError(
                    f"{checkpoint} does not fit the model of {config}: {exc}"
                ) from None
            move(
                tune.pk,
                [Tune.Status.PENDING],
                Tune.Status.FINISHED,
                f"Registered from {checkpoint}",
                weights_source=f"checkpoint tuned elsewhere: {checkpoint}",
            )
        self.stdout.write(self.style.SUCCESS(f"Tune {tune.pk} registered."))


def _read_config(path: Path) -> dict:
    if not path.is_file():
        raise CommandError(f"{path} is not a file.")
    try:
        config = yaml.safe_load(path.read_text())
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise CommandError(f"{path} is not valid YAML: {exc}") from None
    if not isinstance(config, dict):
        raise CommandError(f"{path} is not a TerraTorch config.")
    return config


def _check_loads(tune: Tune) -> None:
    # Strict loading: a checkpoint of another architecture fails here, not in
    # the lab later.
    from tunes.checkpoints import load_tuned_model

    load_tuned_model(tune)

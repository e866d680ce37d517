from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from lab.scenes import (
    SceneError,
    SceneInfo,
    register_scene,
    scenes_in_folder,
    scenes_in_stac_catalog,
)


class Command(BaseCommand):
    help = (
        "Register GeoTIFF or COG scenes on this server in the lab's local imagery "
        "catalog, from a folder, a single file, or a static STAC catalog "
        "(catalog.json, collection.json or an item's JSON). Registering a file "
        "again updates it. Example: register_scenes /data/s1 --collection "
        "sentinel-1-grd --band VV --band VH --date 2019-09-18"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "source", help="A folder, a .tif file, or a STAC catalog's JSON file."
        )
        parser.add_argument("--collection", default="", help="e.g. sentinel-1-grd")
        parser.add_argument(
            "--date",
            type=date.fromisoformat,
            help="Acquisition date (YYYY-MM-DD) of every scene, for files that do "
            "not record theirs.",
        )
        parser.add_argument(
            "--placeholder-date",
            action="store_true",
            help="--date is a placeholder, not the real acquisition date; the lab "
            "says so.",
        )
        parser.add_argument(
            "--band",
            action="append",
            default=[],
            metavar="NAME",
            help="Band names in file order, for files that do not name their "
            "bands; repeat for each band.",
        )
        parser.add_argument(
            "--suffix",
            default="",
            help="Only files (or STAC assets) whose name ends with this.",
        )
        parser.add_argument("--attribution", default="")

    def handle(self, *args, **options):
        source = Path(options["source"])
        if options["placeholder_date"] and not options["date"]:
            raise CommandError("--placeholder-date needs --date.")
        if not source.exists():
            raise CommandError(f"{source} does not exist.")

        if source.is_dir():
            infos = (
                SceneInfo(path=path)
                for path in scenes_in_folder(source, options["suffix"])
            )
        elif source.suffix.lower() == ".json":
            try:
                infos = list(scenes_in_stac_catalog(source, options["suffix"]))
            except SceneError as exc:
                raise CommandError(str(exc)) from exc
        else:
            infos = [SceneInfo(path=source)]

        created = updated = 0
        problems = []
        for info in infos:
            info.collection = info.collection or options["collection"]
            if options["date"]:
                info.acquired = options["date"]
                info.acquired_is_placeholder = options["placeholder_date"]
            info.bands = info.bands or options["band"] or None
            info.attribution = options["attribution"]
            try:
                scene, new = register_scene(info)
            except SceneError as exc:
                problems.append(str(exc))
                self.stderr.write(f"Skipped: {exc}")
                continue
            created += new
            updated += not new
            self.stdout.write(
                f"{'Registered' if new else 'Updated'} {scene.name} "
                f"({scene.acquired}, {scene.band_count} bands)"
            )
        if not created and not updated:
            raise CommandError(
                "No scene was registered"
                + (f": {len(problems)} skipped." if problems else ": no GeoTIFF found.")
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"{created} scene(s) registered, {updated} updated, "
                f"{len(problems)} skipped."
            )
        )

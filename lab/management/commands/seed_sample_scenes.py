from datetime import date

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from lab.scenes import SceneError, SceneInfo, register_scene, scenes_in_folder

# The sample files do not record when they were acquired: every one gets this
# date, marked as a placeholder (see sample_data/scenes/ATTRIBUTION.md).
PLACEHOLDER_DATE = date(2019, 1, 1)
SEN1FLOODS11_ATTRIBUTION = (
    'Sen1Floods11: Bonafilia et al., "Sen1Floods11: a georeferenced dataset to '
    'train and test deep learning flood algorithms for Sentinel-1", CVPR '
    "Workshops 2020. Data published by Cloud to Street."
)
FTW_ATTRIBUTION = "fieldsoftheworld/ftw-baselines, MIT licence."
FTW_BANDS = [f"{band}_date{when}" for when in (1, 2) for band in ("R", "G", "B", "NIR")]


class Command(BaseCommand):
    help = (
        "Register the bundled sample scenes in the lab's local imagery catalog: "
        "the Sen1Floods11 Sentinel-1 chips and the Fields of The World "
        "Sentinel-2 scene, dated with a placeholder. Safe to run again."
    )

    def handle(self, *args, **options):
        chips = settings.SAMPLE_DATA_DIR / "sen1floods11" / "S1Hand"
        ftw = settings.SAMPLE_DATA_DIR / "scenes" / "ftw_two_date_s2_8band.tif"
        if not chips.is_dir() or not ftw.is_file():
            raise CommandError(
                f"The sample scenes are missing: expected {chips} and {ftw}."
            )

        infos = [
            SceneInfo(
                path=path,
                name=path.name.removesuffix("_S1Hand.tif"),
                collection="sentinel-1-grd",
                bands=["VV", "VH"],
                attribution=SEN1FLOODS11_ATTRIBUTION,
            )
            for path in scenes_in_folder(chips, "_S1Hand.tif")
        ]
        infos.append(
            SceneInfo(
                path=ftw,
                name="Fields of The World, two dates (Sentinel-2)",
                collection="ftw-sentinel-2",
                bands=FTW_BANDS,
                attribution=FTW_ATTRIBUTION,
            )
        )
        created = 0
        for info in infos:
            info.acquired = PLACEHOLDER_DATE
            info.acquired_is_placeholder = True
            try:
                _, new = register_scene(info)
            except SceneError as exc:
                raise CommandError(str(exc)) from exc
            created += new
        if created:
            self.stdout.write(
                self.style.SUCCESS(
                    f"{created} sample scene(s) registered, dated "
                    f"{PLACEHOLDER_DATE} (a placeholder)."
                )
            )
        else:
            self.stdout.write("The sample scenes are registered; nothing to do.")

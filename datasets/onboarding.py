"""Onboarding: check a dataset's chips, split them and prepare what the trainer reads.

The job reads every chip twice: once to check it and gather its band statistics,
once more to write the prepared copy. It claims the dataset with one conditional
UPDATE, so a second run of the same job does nothing, and it never ends with an
unhandled exception: the dataset is then failed, with the reason in its log.
"""

import hashlib
import logging
import os
import shutil
import stat
import traceback
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import numpy as np
import rasterio
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from rasterio.errors import RasterioError

from .models import Band, Chip, Dataset
from .specs import RESERVED_LABEL_VALUE

logger = logging.getLogger(__name__)

VAL_FRACTION = 0.15
TEST_FRACTION = 0.15

MAX_UNPACKED_BYTES = 50 * 1024**3
MAX_ARCHIVE_MEMBERS = 100_000
MAX_EXPANSION_RATIO = 100
# Below this size an archive cannot exhaust the disk whatever its ratio, and an
# uncompressed all-NaN chip zips a thousandfold: only big archives are judged.
RATIO_CHECKED_FROM_BYTES = 256 * 1024**2

# Chips for foundation models are a few hundred pixels wide; a whole scene sent
# as a chip would be read into memory at once.
MAX_CHIP_PIXELS = 2048 * 2048

# Only plain GeoTIFFs are opened, without looking for side-car files: a crafted
# upload must not make GDAL read anything but the file itself.
GDAL_OPTIONS = {"GDAL_DISABLE_READDIR_ON_OPEN": "EMPTY_DIR"}
DRIVER = "GTiff"


class OnboardingError(Exception):
    """A problem with the dataset as a whole: onboarding ends as failed."""


def onboard_dataset(dataset_id: int, source: str) -> None:
    """Check, split and prepare the chips in `source`, a folder or a .zip."""
    # FIXME: a worker killed mid-onboarding leaves the dataset "onboarding".
    claimed = Dataset.objects.filter(
        pk=dataset_id,
        status__in=[Dataset.Status.PENDING, Dataset.Status.FAILED],
    ).update(
        status=Dataset.Status.ONBOARDING,
        status_message="",
        onboarded=None,
        source=str(source),
    )
    if not claimed:
        logger.info(
            "Onboarding of dataset %s skipped: it is not pending or failed",
            dataset_id,
        )
        return

    dataset = Dataset.objects.get(pk=dataset_id)
    logger.info("Onboarding of dataset %s started from %s", dataset_id, source)
    try:
        log = OnboardingLog(dataset.log_path)
    except OSError as exc:
        _fail(dataset, f"The onboarding log cannot be written: {exc}", None)
        return

    try:
        summary = _onboard(dataset, Path(source), log)
    except OnboardingError as exc:
        _fail(dataset, str(exc), log)
    except Exception as exc:
        logger.exception("Onboarding of dataset %s crashed", dataset_id)
        log.error("Unexpected error:\n" + traceback.format_exc().rstrip())
        _fail(dataset, f"Unexpected error: {exc!r}. See the onboarding log.", log)
    else:
        log.info(f"Ready: {summary}")
        logger.info("Onboarding of dataset %s finished: %s", dataset_id, summary)
    finally:
        log.close()


def split_chips(chip_ids: list[str], seed: int) -> dict[str, list[str]]:
    """Split chip ids into train, val and test, the same way on every run.

    A chip's place depends only on its id and the seed, never on the order the
    files were found in. Fewer than three chips cannot fill three splits, so
    every chip then serves in all three.
    """
    ordered = sorted(
        chip_ids,
        key=lambda chip_id: hashlib.sha256(f"{seed}:{chip_id}".encode()).hexdigest(),
    )
    if len(ordered) < 3:
        return {
            "train": sorted(ordered),
            "val": sorted(ordered),
            "test": sorted(ordered),
        }
    n_test = max(1, round(len(ordered) * TEST_FRACTION))
    n_val = max(1, round(len(ordered) * VAL_FRACTION))
    return {
        "train": sorted(ordered[n_test + n_val :]),
        "val": sorted(ordered[n_test : n_test + n_val]),
        "test": sorted(ordered[:n_test]),
    }


def unpack_zip(archive: Path, destination: Path) -> None:
    """Unpack a zip file into destination, refusing anything that looks unsafe."""
    if not zipfile.is_zipfile(archive):
        raise OnboardingError(f"{archive.name} is not a zip file.")
    try:
        with zipfile.ZipFile(archive) as zipped:
            _unpack_members(zipped, destination)
    except zipfile.BadZipFile as exc:
        raise OnboardingError(f"The zip file is damaged: {exc}") from exc
    except (RuntimeError, NotImplementedError) as exc:
        # zipfile raises these for encrypted members and unknown compression.
        raise OnboardingError(f"The zip file cannot be unpacked: {exc}") from exc


class OnboardingLog:
    """The log a person downloads: one line per step and per chip decision."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self._file = path.open("w", encoding="utf-8")

    def info(self, message: str) -> None:
        self._write("INFO", message)

    def warning(self, message: str) -> None:
        self._write("WARNING", message)

    def error(self, message: str) -> None:
        self._write("ERROR", message)

    def close(self) -> None:
        try:
            self._file.close()
        except OSError:
            logger.warning("The onboarding log %s could not be closed", self._file.name)

    def _write(self, level: str, message: str) -> None:
        line = f"{timezone.now():%Y-%m-%d %H:%M:%S} {level:<7} {message}\n"
        try:
            self._file.write(line)
            # Flushed line by line so the dataset page can show progress.
            self._file.flush()
        except (OSError, ValueError):
            # A full disk must not keep the job from recording its end.
            logger.warning("Onboarding log line lost: %s", line.rstrip())


@dataclass
class _ChipCheck:
    chip_id: str
    image: Path | None = None
    label: Path | None = None
    reason: str = ""
    warnings: list[str] = field(default_factory=list)
    size: tuple[int, int] | None = None
    # Per band: valid pixel count, mean and sum of squared deviations.
    stats: list[tuple[int, float, float]] = field(default_factory=list)

    @property
    def accepted(self) -> bool:
        return not self.reason


def _onboard(dataset: Dataset, source: Path, log: OnboardingLog) -> str:
    bands = list(dataset.bands.order_by("index"))
    categories = {
        category.value: category.name for category in dataset.label_categories.all()
    }
    log.info(f"Onboarding dataset {dataset.pk} ({dataset.name}) from {source}")
    _check_definition(dataset, bands, categories)
    _clear_previous_run(dataset, source)

    root = _unpacked_source(dataset, source, log)
    checks = _find_chips(dataset, root, log)
    log.info(f"Checking {_chip_count(len(checks))}")
    with rasterio.Env(**GDAL_OPTIONS):
        for check in checks:
            if check.accepted:
                _check_chip(check, dataset, bands, categories)
    height, width = _settle_chip_size(checks)

    accepted = [check.chip_id for check in checks if check.accepted]
    if not accepted:
        _log_decisions(checks, {}, log)
        _save_chips(dataset, checks, {})
        raise OnboardingError(
            f"No usable chip: {_chip_count(len(checks))} found, all excluded. "
            "The onboarding log gives each reason."
        )
    splits = split_chips(accepted, dataset.split_seed)
    if len(accepted) < 3:
        log.warning(
            f"Only {_chip_count(len(accepted))} usable: every chip is used for "
            "training, validation and testing alike."
        )
        for check in checks:
            if check.accepted:
                check.warnings.append(
                    "used in train, val and test (fewer than 3 chips)"
                )
    split_of = {}
    for split in ("test", "val", "train"):
        for chip_id in splits[split]:
            split_of[chip_id] = split
    _log_decisions(checks, split_of, log)
    for split, chip_ids in splits.items():
        if not chip_ids:
            raise OnboardingError(f"The {split} split has no chip.")

    train = set(splits["train"])
    means, stds = _band_statistics(
        bands, [check for check in checks if check.chip_id in train], log
    )
    log.info("Band statistics over the training chips, after scaling:")
    for band, mean, std in zip(bands, means, stds, strict=True):
        log.info(f"  {band.name}: mean {mean:.6g}, std {std:.6g}")

    with rasterio.Env(**GDAL_OPTIONS):
        for check in checks:
            if check.accepted:
                _write_prepared_chip(check, dataset, bands, categories, means)
    for split, chip_ids in splits.items():
        path = dataset.split_file(split)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(f"{chip_id}\n" for chip_id in chip_ids))

    excluded = len(checks) - len(accepted)
    summary = (
        f"{_chip_count(len(accepted))} of {height} x {width} pixels "
        f"(train {len(splits['train'])}, val {len(splits['val'])}, "
        f"test {len(splits['test'])}); {excluded} excluded."
    )
    with transaction.atomic():
        _save_chips(dataset, checks, split_of)
        for band, mean, std in zip(bands, means, stds, strict=True):
            band.mean, band.std = mean, std
        Band.objects.bulk_update(bands, ["mean", "std"])
        Dataset.objects.filter(pk=dataset.pk).update(
            status=Dataset.Status.READY,
            status_message=summary,
            chip_height=height,
            chip_width=width,
            onboarded=timezone.now(),
        )
    _remove_upload(source, log)
    return summary


def _chip_count(count: int) -> str:
    return f"{count} chip" if count == 1 else f"{count} chips"


def _fail(dataset: Dataset, message: str, log: OnboardingLog | None) -> None:
    if log is not None:
        log.error(f"Failed: {message}")
    Dataset.objects.filter(pk=dataset.pk).update(
        status=Dataset.Status.FAILED, status_message=message
    )
    logger.info("Onboarding of dataset %s failed: %s", dataset.pk, message)


def _remove_upload(source: Path, log: OnboardingLog) -> None:
    # An archive uploaded through the site is unpacked into the dataset folder
    # and no longer needed once the dataset is ready; a file on the server that
    # someone named on the command line is theirs, and stays.
    uploads = (settings.STORAGE_ROOT / "uploads").resolve()
    if source.is_file() and source.resolve().parent == uploads:
        source.unlink()
        log.info(f"Removed the uploaded archive {source.name}")


def _check_definition(
    dataset: Dataset, bands: list[Band], categories: dict[int, str]
) -> None:
    if not bands:
        raise OnboardingError("The dataset has no bands.")
    if [band.index for band in bands] != list(range(len(bands))):
        raise OnboardingError("Band indexes must run 0, 1, 2, ... without gaps.")
    if not dataset.image_suffix or not dataset.label_suffix:
        raise OnboardingError("Both the image and the label file suffix are needed.")
    if dataset.image_suffix == dataset.label_suffix:
        raise OnboardingError("The image and label file suffixes must differ.")
    if dataset.task_type == Dataset.TaskType.SEGMENTATION:
        if not categories:
            raise OnboardingError("A segmentation dataset needs label categories.")
        if RESERVED_LABEL_VALUE in categories:
            raise OnboardingError(
                "Category value -1 is reserved: prepared labels use it for no data."
            )


def _clear_previous_run(dataset: Dataset, source: Path) -> None:
    # A failed run may have left files and rows behind; a rerun starts clean,
    # except for the unpacked chips when they are what this run reads.
    folders = [
        dataset.images_dir,
        dataset.labels_dir,
        dataset.split_file("train").parent,
    ]
    if source.resolve() != dataset.unpacked_dir.resolve():
        folders.append(dataset.unpacked_dir)
    for folder in folders:
        shutil.rmtree(folder, ignore_errors=True)
    Chip.objects.filter(dataset=dataset).delete()
    dataset.bands.update(mean=None, std=None)


def _unpacked_source(dataset: Dataset, source: Path, log: OnboardingLog) -> Path:
    if source.is_dir():
        return source
    if not source.is_file():
        raise OnboardingError(f"The source {source} does not exist.")
    destination = dataset.unpacked_dir
    log.info(f"Unpacking {source.name}")
    unpack_zip(source, destination)
    return destination


def _unpack_members(zipped: zipfile.ZipFile, destination: Path) -> None:
    members = [member for member in zipped.infolist() if not member.is_dir()]
    if not members:
        raise OnboardingError("The zip file is empty.")
    if len(members) > MAX_ARCHIVE_MEMBERS:
        raise OnboardingError(
            f"The zip file holds {len(members)} files; at most "
            f"{MAX_ARCHIVE_MEMBERS} are accepted."
        )
    unpacked = sum(member.file_size for member in members)
    packed = sum(member.compress_size for member in members)
    if unpacked > MAX_UNPACKED_BYTES:
        raise OnboardingError(
            f"The zip file would unpack to {unpacked / 1024**3:.1f} GiB; at most "
            f"{MAX_UNPACKED_BYTES / 1024**3:.0f} GiB are accepted."
        )
    if unpacked > RATIO_CHECKED_FROM_BYTES and unpacked > MAX_EXPANSION_RATIO * packed:
        raise OnboardingError(
            f"The zip file would expand {unpacked / max(packed, 1):.0f} times: "
            "refused as a likely zip bomb."
        )

    root = destination.resolve()
    # Every name is checked before anything is written.
    targets = [(member, _safe_target(root, member.filename)) for member in members]
    for member, target in targets:
        if stat.S_ISLNK(member.external_attr >> 16):
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        written = 0
        with zipped.open(member) as packed_file, target.open("wb") as unpacked_file:
            while chunk := packed_file.read(1024 * 1024):
                written += len(chunk)
                # The sizes above come from the archive's own headers, which
                # can lie; the bytes actually written are what count.
                if written > member.file_size:
                    raise OnboardingError(
                        f"{member.filename} unpacks to more than its declared size."
                    )
                unpacked_file.write(chunk)


def _safe_target(root: Path, name: str) -> Path:
    parts = PurePosixPath(name.replace("\\", "/")).parts
    escapes = (
        not parts
        or parts[0] == "/"
        or ".." in parts
        or ":" in parts[0]  # a Windows drive such as C:
    )
    target = (root.joinpath(*parts)).resolve() if not escapes else root
    if escapes or not target.is_relative_to(root) or target == root:
        raise OnboardingError(
            f"The zip file has a path outside its folder: {name!r}. Nothing was "
            "unpacked."
        )
    return target


def _find_chips(dataset: Dataset, root: Path, log: OnboardingLog) -> list[_ChipCheck]:
    # The longer suffix wins, so "_label.tif" is not taken for ".tif".
    suffixes = sorted(
        [(dataset.image_suffix, "image"), (dataset.label_suffix, "label")],
        key=lambda pair: len(pair[0]),
        reverse=True,
    )
    found: dict[str, dict[str, list[Path]]] = {}
    others = []
    for folder, subfolders, files in os.walk(root):
        # Hidden folders and macOS's __MACOSX hold copies whose names end with
        # the same suffixes but are not rasters.
        subfolders[:] = sorted(
            name for name in subfolders if not name.startswith((".", "__MACOSX"))
        )
        for name in sorted(files):
            if name.startswith("."):
                continue
            for suffix, kind in suffixes:
                if name.endswith(suffix) and len(name) > len(suffix):
                    chip_id = name[: -len(suffix)]
                    paths = found.setdefault(chip_id, {"image": [], "label": []})
                    paths[kind].append(Path(folder) / name)
                    break
            else:
                others.append(name)

    if not found:
        seen = ", ".join(others[:5]) or "no file at all"
        raise OnboardingError(
            f'No file name ends with the image suffix "{dataset.image_suffix}" or '
            f'the label suffix "{dataset.label_suffix}" (found: {seen}).'
        )
    if others:
        log.info(f"Ignored {len(others)} other file(s), e.g. {', '.join(others[:5])}")

    checks = []
    for chip_id in sorted(found):
        images, labels = found[chip_id]["image"], found[chip_id]["label"]
        check = _ChipCheck(chip_id)
        if len(images) > 1 or len(labels) > 1:
            where = ", ".join(str(path.relative_to(root)) for path in images + labels)
            check.reason = f"chip id found more than once: {where}"
        elif not labels:
            check.reason = f"no label file (expected {chip_id}{dataset.label_suffix})"
        elif not images:
            check.reason = f"no image file (expected {chip_id}{dataset.image_suffix})"
        else:
            check.image, check.label = images[0], labels[0]
        checks.append(check)
    return checks


def _check_chip(
    check: _ChipCheck,
    dataset: Dataset,
    bands: list[Band],
    categories: dict[int, str],
) -> None:
    """Record why a chip is unusable, or its warnings, size and statistics."""
    try:
        image_src = rasterio.open(check.image, driver=DRIVER)
    except (RasterioError, OSError) as exc:
        check.reason = f"image is unreadable: {_describe(exc)}"
        return
    with image_src:
        try:
            label_src = rasterio.open(check.label, driver=DRIVER)
        except (RasterioError, OSError) as exc:
            check.reason = f"label is unreadable: {_describe(exc)}"
            return
        with label_src:
            check.reason = _check_layout(image_src, label_src, len(bands))
            if check.reason:
                return
            try:
                image = image_src.read()
            except (RasterioError, OSError) as exc:
                check.reason = f"image is unreadable: {_describe(exc)}"
                return
            try:
                label = label_src.read(1)
            except (RasterioError, OSError) as exc:
                check.reason = f"label is unreadable: {_describe(exc)}"
                return
            image_nodata = image_src.nodatavals
            label_declared_nodata = label_src.nodata

    check.size = (image.shape[1], image.shape[2])
    empty_bands = []
    for band, raw, nodata in zip(bands, image, image_nodata, strict=True):
        values = raw[_valid_pixels(raw, nodata)].astype(np.float64)
        values *= band.scaling_factor
        if values.size:
            mean = float(values.mean())
            check.stats.append((values.size, mean, float(((values - mean) ** 2).sum())))
        else:
            check.stats.append((0, 0.0, 0.0))
            empty_bands.append(band.name)
    if len(empty_bands) == len(bands):
        check.reason = f"image is entirely no data ({_nodata_name(image_nodata[0])})"
        return
    if empty_bands:
        check.warnings.append(f"band(s) {', '.join(empty_bands)} entirely no data")

    missing = _label_nodata(label, dataset, label_declared_nodata, categories)
    labelled = label[~missing]
    if not labelled.size:
        check.reason = f"label is entirely no data ({dataset.label_nodata:g})"
        return
    if dataset.task_type == Dataset.TaskType.REGRESSION:
        if not np.isfinite(labelled).all():
            check.reason = "label has infinite values"
        return

    values = np.unique(labelled)
    unknown = [value for value in values.tolist() if value not in categories]
    if unknown:
        shown = ", ".join(f"{value:g}" for value in unknown[:10])
        allowed = ", ".join(str(value) for value in sorted(categories))
        check.reason = (
            f"label has values outside the categories: {shown} (allowed: "
            f"{allowed} and no data {dataset.label_nodata:g})"
        )
    elif len(values) == 1 and len(categories) > 1:
        value = int(values[0])
        check.warnings.append(
            f"one class only: every labelled pixel is {value} ({categories[value]})"
        )


def _check_layout(image_src, label_src, band_count: int) -> str:
    if image_src.count != band_count:
        return f"image has {image_src.count} bands, the dataset has {band_count}"
    if label_src.count != 1:
        return f"label has {label_src.count} bands instead of 1"
    if image_src.shape != label_src.shape:
        return (
            f"image is {image_src.height} x {image_src.width} pixels, label is "
            f"{label_src.height} x {label_src.width}"
        )
    if image_src.height * image_src.width > MAX_CHIP_PIXELS:
        return (
            f"image is {image_src.height} x {image_src.width} pixels, too large "
            "for a chip: tile it first"
        )
    if image_src.crs != label_src.crs:
        return f"image CRS {image_src.crs} differs from label CRS {label_src.crs}"
    # Transforms match when they agree to a thousandth of a pixel.
    tolerance = 1e-3 * max(abs(image_src.transform.a), abs(image_src.transform.e))
    if not np.allclose(
        image_src.transform[:6], label_src.transform[:6], rtol=0, atol=tolerance
    ):
        return "image and label are not aligned: their geotransforms differ"
    return ""


def _valid_pixels(raw: np.ndarray, nodata: float | None) -> np.ndarray:
    valid = np.isfinite(raw) if raw.dtype.kind == "f" else np.ones(raw.shape, bool)
    if nodata is not None and not np.isnan(nodata):
        valid &= raw != nodata
    return valid


def _label_nodata(
    label: np.ndarray,
    dataset: Dataset,
    declared: float | None,
    categories: dict[int, str],
) -> np.ndarray:
    missing = label == dataset.label_nodata
    if label.dtype.kind == "f":
        missing |= np.isnan(label)
    # A value the file itself declares as nodata is no data too, unless it is a
    # category: many tools declare 0 as nodata where 0 is a real class.
    if (
        declared is not None
        and not np.isnan(declared)
        and (
            dataset.task_type == Dataset.TaskType.REGRESSION
            or declared not in categories
        )
    ):
        missing |= label == declared
    return missing


def _nodata_name(nodata: float | None) -> str:
    if nodata is None or np.isnan(nodata):
        return "NaN"
    return f"{nodata:g}"


def _describe(exc: BaseException) -> str:
    # rasterio's read error says only "see previous exception"; GDAL's own
    # message, deepest in the chain, names the actual damage.
    messages = []
    while exc is not None:
        messages.append(str(exc))
        exc = exc.__cause__ or exc.__context__
    return messages[-1] if messages else "unknown error"


def _settle_chip_size(checks: list[_ChipCheck]) -> tuple[int, int]:
    sizes = Counter(check.size for check in checks if check.accepted)
    if not sizes:
        return (0, 0)
    # The most common size; ties go to the larger size, so the choice does not
    # depend on the order chips were checked in.
    size = max(sizes, key=lambda candidate: (sizes[candidate], candidate))
    for check in checks:
        if check.accepted and check.size != size:
            check.reason = (
                f"chip is {check.size[0]} x {check.size[1]} pixels, the dataset's "
                f"chips are {size[0]} x {size[1]}"
            )
    return size


def _band_statistics(
    bands: list[Band], train: list[_ChipCheck], log: OnboardingLog
) -> tuple[list[float], list[float]]:
    """Merge per-chip statistics into each band's mean and std (Chan et al.)."""
    means, stds = [], []
    for position, band in enumerate(bands):
        count, mean, m2 = 0, 0.0, 0.0
        for check in train:
            n, chip_mean, chip_m2 = check.stats[position]
            if not n:
                continue
            total = count + n
            delta = chip_mean - mean
            mean += delta * n / total
            m2 += chip_m2 + delta * delta * count * n / total
            count = total
        if not count:
            raise OnboardingError(
                f"Band {band.name} has no valid pixel in the training chips."
            )
        std = (m2 / count) ** 0.5
        if std == 0:
            # Normalising by a zero std gives NaN; the band is constant, so
            # dividing by 1 keeps it at 0 without losing anything.
            log.warning(
                f"Band {band.name} is constant ({mean:g}) in the training chips: "
                "its std is stored as 1 so normalisation stays finite."
            )
            std = 1.0
        means.append(mean)
        stds.append(std)
    return means, stds


def _write_prepared_chip(
    check: _ChipCheck,
    dataset: Dataset,
    bands: list[Band],
    categories: dict[int, str],
    means: list[float],
) -> None:
    with rasterio.open(check.image, driver=DRIVER) as src:
        raw = src.read()
        nodata = src.nodatavals
        crs, transform = src.crs, src.transform
    image = np.empty(raw.shape, np.float32)
    for position, band in enumerate(bands):
        scaled = raw[position].astype(np.float64) * band.scaling_factor
        # Missing pixels take the band's training mean, which normalisation
        # turns into 0; left as nodata they would become NaN and a NaN loss.
        valid = _valid_pixels(raw[position], nodata[position])
        image[position] = np.where(valid, scaled, means[position])

    with rasterio.open(check.label, driver=DRIVER) as src:
        raw_label = src.read(1)
        declared = src.nodata
    missing = _label_nodata(raw_label, dataset, declared, categories)
    # Through float64, which holds every value of every label dtype: -1 put
    # straight into an unsigned label would wrap around to 255 or 65535.
    label = np.where(missing, RESERVED_LABEL_VALUE, raw_label.astype(np.float64))
    if dataset.task_type == Dataset.TaskType.REGRESSION:
        label = label.astype(np.float32)
    else:
        label = label.astype(np.int16)

    profile = {
        "driver": "GTiff",
        "height": image.shape[1],
        "width": image.shape[2],
        "crs": crs,
        "transform": transform,
        "compress": "deflate",
    }
    dataset.images_dir.mkdir(parents=True, exist_ok=True)
    dataset.labels_dir.mkdir(parents=True, exist_ok=True)
    image_path = dataset.prepared_image(check.chip_id)
    with rasterio.open(
        image_path, "w", count=image.shape[0], dtype="float32", **profile
    ) as dst:
        dst.write(image)
    label_path = dataset.prepared_label(check.chip_id)
    with rasterio.open(label_path, "w", count=1, dtype=label.dtype, **profile) as dst:
        dst.write(label, 1)


def _log_decisions(
    checks: list[_ChipCheck], split_of: dict[str, str], log: OnboardingLog
) -> None:
    for check in checks:
        if not check.accepted:
            log.warning(f"{check.chip_id}: excluded: {check.reason}")
        elif check.warnings:
            warnings = "; ".join(check.warnings)
            log.warning(
                f"{check.chip_id}: {split_of[check.chip_id]}, warning: {warnings}"
            )
        else:
            log.info(f"{check.chip_id}: {split_of[check.chip_id]}")


def _save_chips(
    dataset: Dataset, checks: list[_ChipCheck], split_of: dict[str, str]
) -> None:
    Chip.objects.filter(dataset=dataset).delete()
    Chip.objects.bulk_create(
        Chip(
            dataset=dataset,
            chip_id=check.chip_id,
            split=split_of[check.chip_id] if check.accepted else Chip.Split.EXCLUDED,
            warning=check.reason if not check.accepted else "; ".join(check.warnings),
        )
        for check in checks
    )

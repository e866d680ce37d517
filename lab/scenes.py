"""Registering GeoTIFF and COG scenes in the local imagery catalog.

A scene is registered from its file: footprint, CRS, size and band names are
read from it. Its acquisition date comes from the caller, from a STAC item,
from the file's tags or from a date in its name, in that order. Registering a
file again updates its row, so the commands are safe to repeat.
"""

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import rasterio
from rasterio.errors import RasterioError
from rasterio.warp import transform_bounds

from .models import Scene
from .sources import GDAL_OPTIONS

logger = logging.getLogger(__name__)

RASTER_SUFFIXES = (".tif", ".tiff")
# TIFFTAG_DATETIME is left out on purpose: it is when the file was written.
DATE_TAGS = ("ACQUISITION_DATE", "DATE_ACQUIRED", "ACQUISITIONDATETIME", "datetime")
DATE_IN_NAME = re.compile(r"(?<!\d)(\d{4})-?(\d{2})-?(\d{2})(?!\d)")


class SceneError(Exception):
    """A file or item that cannot be registered, and why."""


@dataclass
class SceneInfo:
    """What is known about a scene before its file is read."""

    path: Path
    name: str = ""
    acquired: date | None = None
    acquired_is_placeholder: bool = False
    collection: str = ""
    bands: list[str] | None = None
    attribution: str = ""


def register_scene(info: SceneInfo) -> tuple[Scene, bool]:
    """Create or update the scene of one file; True when it is new."""
    path = info.path.resolve()
    try:
        with rasterio.Env(**GDAL_OPTIONS), rasterio.open(path, driver="GTiff") as src:
            if src.crs is None:
                raise SceneError(f"{path.name} has no coordinate reference system.")
            west, south, east, north = transform_bounds(
                src.crs, "EPSG:4326", *src.bounds, densify_pts=21
            )
            descriptions = [text or "" for text in src.descriptions]
            tags = src.tags()
            crs = src.crs.to_string()
            width, height, count = src.width, src.height, src.count
    except (RasterioError, OSError) as exc:
        raise SceneError(f"{path.name} is not a readable GeoTIFF: {exc}") from exc

    if info.bands:
        if len(info.bands) != count:
            raise SceneError(
                f"{path.name} has {count} bands, but {len(info.bands)} band names "
                f"were given: {', '.join(info.bands)}."
            )
        bands = list(info.bands)
    else:
        bands = descriptions if all(descriptions) else []

    acquired = info.acquired or _date_from_tags(tags) or _date_from_name(path.name)
    if acquired is None:
        raise SceneError(
            f"{path.name} does not say when it was acquired (no date tag, no date "
            "in its name): give one with --date."
        )
    scene, created = Scene.objects.update_or_create(
        path=str(path),
        defaults={
            "name": info.name or path.stem,
            "collection": info.collection,
            "acquired": acquired,
            "acquired_is_placeholder": info.acquired_is_placeholder,
            "west": west,
            "south": south,
            "east": east,
            "north": north,
            "crs": crs,
            "width": width,
            "height": height,
            "bands": bands,
            "band_count": count,
            "attribution": info.attribution,
        },
    )
    return scene, created


def scenes_in_folder(folder: Path, suffix: str = "") -> Iterator[Path]:
    """The GeoTIFFs under a folder, in name order, hidden files left out."""
    for path in sorted(folder.rglob("*")):
        if any(part.startswith(".") for part in path.relative_to(folder).parts):
            continue
        if not path.is_file() or not path.name.lower().endswith(RASTER_SUFFIXES):
            continue
        if suffix and not path.name.endswith(suffix):
            continue
        yield path


def scenes_in_stac_catalog(catalog_path: Path, suffix: str = "") -> Iterator[SceneInfo]:
    """One SceneInfo per item of a static STAC catalog, collection or item file.

    An item's data asset must be a local GeoTIFF; an item with several (one
    file per band) needs ``suffix`` to say which one is the scene.
    """
    import pystac

    try:
        root = pystac.read_file(str(catalog_path))
    except (pystac.STACError, OSError, ValueError) as exc:
        raise SceneError(f"{catalog_path} is not a STAC catalog: {exc}") from exc
    if isinstance(root, pystac.Item):
        items = [root]
    else:
        items = list(root.get_items(recursive=True))
    for item in items:
        yield _item_scene(item, suffix)


def _item_scene(item, suffix: str) -> SceneInfo:
    assets = []
    for key, asset in item.assets.items():
        href = asset.get_absolute_href() or asset.href
        roles = set(asset.roles or [])
        if "thumbnail" in roles or "overview" in roles:
            continue
        if not href.lower().endswith(RASTER_SUFFIXES):
            continue
        if suffix and not (href.endswith(suffix) or key.endswith(suffix)):
            continue
        assets.append((key, asset, href))
    if len(assets) != 1:
        found = ", ".join(key for key, _, _ in assets) or "none"
        raise SceneError(
            f"STAC item {item.id} needs exactly one GeoTIFF asset to be a scene "
            f"(found: {found}); pass --suffix to choose."
        )
    key, asset, href = assets[0]
    if "://" in href and not href.startswith("file://"):
        raise SceneError(
            f"STAC item {item.id}: asset {key} is at {href}; the local catalog "
            "registers files on this machine only."
        )
    bands = asset.extra_fields.get("bands") or asset.extra_fields.get("eo:bands")
    names = [band.get("name", "") for band in bands or [] if isinstance(band, dict)]
    when = item.datetime or item.common_metadata.start_datetime
    return SceneInfo(
        path=Path(href.removeprefix("file://")),
        name=item.id,
        acquired=when.date() if when else None,
        collection=item.collection_id or "",
        bands=names if names and all(names) else None,
    )


def _date_from_tags(tags: dict[str, str]) -> date | None:
    for key in DATE_TAGS:
        value = tags.get(key, "").strip()
        if not value:
            continue
        try:
            return datetime.fromisoformat(value).date()
        except ValueError:
            found = _date_from_name(value)
            if found:
                return found
    return None


def _date_from_name(name: str) -> date | None:
    for match in DATE_IN_NAME.finditer(name):
        try:
            found = date(*(int(part) for part in match.groups()))
        except ValueError:
            continue
        if 1970 <= found.year <= 2100:
            return found
    return None

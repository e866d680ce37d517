"""Where a run's imagery comes from, and whether its bands can feed the tune.

A data source answers an area and a date range with scenes. The local imagery
catalog (``Scene`` rows) is the default; a STAC API serves deployments that
reach one; an uploaded GeoTIFF is a scene of its own. Every scene is checked
against the tune's bands before anything is read, so a run that cannot work
fails at once and names the bands.
"""

import logging
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlparse

import rasterio
from django.conf import settings
from rasterio.errors import RasterioError

from .config import used_bands
from .models import InferenceRun, Scene

logger = logging.getLogger(__name__)

# A run reads at most this many scenes; an area needing more is too large
# for one run.
MAX_SCENES = 50
STAC_TIMEOUT_SECONDS = 30
# Only GeoTIFFs are opened, without looking for side-car files: an uploaded
# VRT, say, could otherwise make the worker read any file it can.
DRIVER = "GTiff"
GDAL_OPTIONS = {
    "GDAL_DISABLE_READDIR_ON_OPEN": "EMPTY_DIR",
    "CPL_VSIL_CURL_ALLOWED_EXTENSIONS": ".tif,.tiff,.TIF,.TIFF",
}
GEOTIFF_TYPES = ("image/tiff", "image/geotiff")
SKIPPED_ROLES = {"thumbnail", "overview", "metadata", "visual"}


class RunError(Exception):
    """A problem with a run's inputs, told to the person as it is."""


@dataclass
class Asset:
    """One raster file of a scene: a local path or an http(s) URL."""

    href: str
    band_names: list[str] = field(default_factory=list)
    band_count: int | None = None
    # A STAC asset's key, e.g. "B04": the band's name where a file per band
    # does not name its band itself.
    key: str = ""


@dataclass
class SceneSource:
    name: str
    acquired: date | None
    assets: list[Asset]
    acquired_is_placeholder: bool = False

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "acquired": self.acquired.isoformat() if self.acquired else "",
            "placeholder_date": self.acquired_is_placeholder,
        }


# A band of the run's input is read from (asset position, 1-based band index)
# of a scene; None where an unused band is missing.
BandMatch = list[tuple[int, int] | None]


def find_scenes(run: InferenceRun) -> list[SceneSource]:
    """The scenes a run reads, newest first; RunError when there are none."""
    if run.source == InferenceRun.Source.UPLOAD:
        return [upload_scene(run.upload_path, run.upload_name)]
    if run.source == InferenceRun.Source.STAC:
        return find_stac_scenes(
            stac_api_url(), run.config, run.bbox, run.start_date, run.end_date
        )
    return find_catalog_scenes(run.config, run.bbox, run.start_date, run.end_date)


def stac_api_url() -> str:
    """The operator's STAC API; empty where the studio has none."""
    return getattr(settings, "LAB_STAC_API_URL", "") or ""


def find_catalog_scenes(
    config: dict[str, Any],
    bbox: tuple[float, float, float, float],
    start: date,
    end: date,
) -> list[SceneSource]:
    west, south, east, north = bbox
    scenes = Scene.objects.filter(
        west__lt=east, east__gt=west, south__lt=north, north__gt=south
    )
    filters = []
    collection = config["source"].get("collection", "")
    if collection:
        scenes = scenes.filter(collection=collection)
        filters.append(f'collection "{collection}"')
    suffix = config.get("file_suffix", "")
    if suffix:
        scenes = scenes.filter(path__endswith=suffix)
        filters.append(f'file suffix "{suffix}"')
    where = f"the area {_bbox_text(bbox)}"
    if filters:
        where += " with " + " and ".join(filters)

    if not scenes.exists():
        raise RunError(f"No scene in the local imagery catalog covers {where}.")
    in_range = scenes.filter(acquired__gte=start, acquired__lte=end)
    if not in_range.exists():
        dates = sorted({scene.acquired for scene in scenes})
        shown = ", ".join(day.isoformat() for day in dates[:5])
        more = f" and {len(dates) - 5} more" if len(dates) > 5 else ""
        raise RunError(
            f"No scene of {where} was acquired between {start} and {end}. "
            f"Scenes of this area are dated {shown}{more}."
        )
    chosen = list(in_range.order_by("-acquired", "name")[: MAX_SCENES + 1])
    if len(chosen) > MAX_SCENES:
        raise RunError(
            f"More than {MAX_SCENES} scenes cover {where} between {start} and "
            f"{end}: choose a smaller area or fewer dates."
        )
    return [
        SceneSource(
            name=scene.name,
            acquired=scene.acquired,
            acquired_is_placeholder=scene.acquired_is_placeholder,
            assets=[Asset(scene.path, list(scene.bands), scene.band_count)],
        )
        for scene in chosen
    ]


def find_stac_scenes(
    url: str,
    config: dict[str, Any],
    bbox: tuple[float, float, float, float],
    start: date,
    end: date,
) -> list[SceneSource]:
    from pystac_client import Client
    from pystac_client.exceptions import APIError

    if not url:
        raise RunError("This studio has no STAC API configured.")
    collection = config["source"].get("collection", "")
    where = f"the area {_bbox_text(bbox)}"
    if collection:
        where += f' in collection "{collection}"'
    try:
        client = Client.open(url, timeout=STAC_TIMEOUT_SECONDS)
        search = client.search(
            collections=[collection] if collection else None,
            bbox=list(bbox),
            datetime=f"{start.isoformat()}/{end.isoformat()}",
            max_items=MAX_SCENES + 1,
        )
        items = list(search.items())
        if not items:
            covering = client.search(
                collections=[collection] if collection else None,
                bbox=list(bbox),
                max_items=5,
            )
            any_items = list(covering.items())
    except (APIError, OSError, ValueError, NotImplementedError) as exc:
        raise RunError(f"The STAC API at {url} could not be searched: {exc}") from exc

    if not items:
        if not any_items:
            raise RunError(f"The STAC API has no scene of {where}.")
        dates = sorted(
            {item.datetime.date().isoformat() for item in any_items if item.datetime}
        )
        raise RunError(
            f"The STAC API has scenes of {where}, but none acquired between "
            f"{start} and {end} (found dates such as {', '.join(dates)})."
        )
    if len(items) > MAX_SCENES:
        raise RunError(
            f"More than {MAX_SCENES} STAC items cover {where} between {start} and "
            f"{end}: choose a smaller area or fewer dates."
        )
    items.sort(
        key=lambda item: (item.datetime.isoformat() if item.datetime else "", item.id),
        reverse=True,
    )
    return [_stac_scene(item, config) for item in items]


def upload_scene(path: Path, name: str) -> SceneSource:
    names, count = read_band_names(str(path), name)
    return SceneSource(
        name=name, acquired=None, assets=[Asset(str(path), names, count)]
    )


def read_band_names(href: str, name: str = "") -> tuple[list[str], int]:
    """A raster's band names (empty unless it names every band) and count."""
    name = name or Path(href).name
    try:
        with rasterio.Env(**GDAL_OPTIONS), rasterio.open(href, driver=DRIVER) as src:
            descriptions = [text or "" for text in src.descriptions]
            count = src.count
    except (RasterioError, OSError) as exc:
        raise RunError(
            f"{name} is not a readable GeoTIFF: {describe_error(exc, href, name)}"
        ) from exc
    return (descriptions if all(descriptions) else []), count


def describe_error(exc: BaseException, href: str, name: str) -> str:
    """GDAL's message, naming the file as the person knows it, not its path."""
    return str(exc).replace(f"'{href}'", name).replace(href, name)


def match_bands(scene: SceneSource, config: dict[str, Any]) -> BandMatch:
    """Where each of the run's bands is in the scene; RunError when one is missing.

    Named bands are matched by name (case does not matter); a scene whose
    single file names no band is matched by position and must have exactly as
    many bands as the tune's dataset.
    """
    bands = config["bands"]
    needed = [band["name"] for band in used_bands(config)]
    for asset in scene.assets:
        if asset.band_count is None:
            asset.band_names, asset.band_count = read_band_names(asset.href)
        if len(scene.assets) > 1 and not asset.band_names and asset.band_count == 1:
            asset.band_names = [asset.key] if asset.key else []

    named = [asset for asset in scene.assets if asset.band_names]
    if not named:
        asset = scene.assets[0]
        if len(scene.assets) == 1 and asset.band_count == len(bands):
            return [(0, position + 1) for position in range(len(bands))]
        counts = sum(asset.band_count or 0 for asset in scene.assets)
        raise RunError(
            f"The scene {scene.name} has {counts} unnamed band(s); the tune needs "
            f"{len(bands)}: {', '.join(band['name'] for band in bands)} (bands in "
            f"use: {', '.join(needed)}). Its bands cannot be matched to the tune's."
        )

    where: dict[str, tuple[int, int]] = {}
    for position, asset in enumerate(scene.assets):
        for index, name in enumerate(asset.band_names, start=1):
            where.setdefault(name.lower(), (position, index))
    missing = [name for name in needed if name.lower() not in where]
    if missing:
        available = [name for asset in scene.assets for name in asset.band_names]
        raise RunError(
            f"The scene {scene.name} cannot feed this tune: it lacks the band(s) "
            f"{', '.join(missing)}. It has {len(available)} band(s): "
            f"{', '.join(available)}; the tune uses {', '.join(needed)}. Check "
            "the band names in the tune's lab settings."
        )
    return [where.get(band["name"].lower()) for band in bands]


def _stac_scene(item, config: dict[str, Any]) -> SceneSource:
    assets = []
    suffix = config.get("file_suffix", "")
    for key, asset in item.assets.items():
        if not _is_data_raster(asset):
            continue
        href = _absolute_href(asset.href, item)
        if suffix and not (href.endswith(suffix) or key.endswith(suffix)):
            continue
        names = _stac_band_names(asset)
        assets.append(Asset(href, names, len(names) if names else None, key))
    if not assets:
        raise RunError(
            f"The STAC item {item.id} has no GeoTIFF asset"
            + (f' whose name ends with "{suffix}"' if suffix else "")
            + "."
        )
    acquired = item.datetime.date() if item.datetime else None
    return SceneSource(name=item.id, acquired=acquired, assets=assets)


def _is_data_raster(asset) -> bool:
    roles = set(asset.roles or [])
    if roles & SKIPPED_ROLES and "data" not in roles:
        return False
    media_type = (asset.media_type or "").lower()
    if media_type:
        return any(kind in media_type for kind in GEOTIFF_TYPES)
    return asset.href.lower().endswith((".tif", ".tiff"))


def _absolute_href(href: str, item) -> str:
    self_href = item.get_self_href()
    if self_href and not urlparse(href).scheme:
        href = urljoin(self_href, href)
    # Only web addresses are read: a file path or a GDAL virtual path in a
    # remote catalog must not make the worker open local files.
    if urlparse(href).scheme not in {"http", "https"}:
        raise RunError(
            f"The STAC item {item.id} has an asset at {href!r}; only http and "
            "https addresses can be read."
        )
    return href


def _stac_band_names(asset) -> list[str]:
    bands = asset.extra_fields.get("bands") or asset.extra_fields.get("eo:bands")
    if not isinstance(bands, list) or not bands:
        return []
    names = [band.get("name", "") if isinstance(band, dict) else "" for band in bands]
    return names if all(names) else []


def _bbox_text(bbox: tuple[float, float, float, float]) -> str:
    return "(" + ", ".join(f"{value:.4f}" for value in bbox) + ")"

"""How a dataset's bands map onto a backbone's native bands.

A pretrained backbone knows its input bands by name: Prithvi by HLS band names,
TerraMind by modality and band ("S2L2A:RED"), Clay by names it turns into
wavelengths. Each band a tune uses is mapped to one of them, stored as
``native`` in the tune's bands. Backbones without native bands (ResNet,
ConvNeXt) take any bands in any order.
"""

from typing import Any

from .models import Backbone

MODALITY_SEPARATOR = ":"

# Names a dataset may give a band, by the HLS name of what it measures. The
# Sentinel-2 band numbers follow the HLS convention: B8A is the narrow NIR.
_ALIASES = {
    "COASTAL_AEROSOL": ["coastal", "aerosol", "coastal_aerosol", "b1", "b01"],
    "BLUE": ["blue", "b2", "b02"],
    "GREEN": ["green", "b3", "b03"],
    "RED": ["red", "b4", "b04"],
    "RED_EDGE_1": ["rededge1", "red_edge_1", "re1", "b5", "b05"],
    "RED_EDGE_2": ["rededge2", "red_edge_2", "re2", "b6", "b06"],
    "RED_EDGE_3": ["rededge3", "red_edge_3", "re3", "b7", "b07"],
    "NIR_BROAD": ["nir", "nir_broad", "b8", "b08"],
    "NIR_NARROW": ["nir08", "nir_narrow", "narrow_nir", "b8a", "b08a"],
    "WATER_VAPOR": ["water_vapor", "water_vapour", "wv", "b9", "b09"],
    "CIRRUS": ["cirrus", "b10"],
    "SWIR_1": ["swir1", "swir_1", "swir16", "b11"],
    "SWIR_2": ["swir2", "swir_2", "swir22", "b12"],
    "VV": ["vv"],
    "VH": ["vh"],
}
_HLS_NAME = {
    alias: hls for hls, aliases in _ALIASES.items() for alias in [hls.lower(), *aliases]
}
# A backbone that lacks the band itself may know a close one: Prithvi's only
# NIR is the narrow one.
_FALLBACKS = {"NIR_BROAD": ["NIR_NARROW"], "NIR_NARROW": ["NIR_BROAD"]}
_CLAY_NAME = {
    "BLUE": "blue",
    "GREEN": "green",
    "RED": "red",
    "RED_EDGE_1": "rededge1",
    "RED_EDGE_2": "rededge2",
    "RED_EDGE_3": "rededge3",
    "NIR_BROAD": "nir",
    "NIR_NARROW": "nir08",
    "SWIR_1": "swir16",
    "SWIR_2": "swir22",
    "VV": "vv",
    "VH": "vh",
}


def needs_mapping(backbone: Backbone) -> bool:
    return bool(backbone.native_bands)


def suggest(backbone: Backbone, names: list[str]) -> list[str]:
    """The native band each dataset band most likely is; "" where none fits."""
    if not needs_mapping(backbone):
        return ["" for _ in names]
    if backbone.family == "terramind":
        return _suggest_terramind(backbone, names)
    return [_suggest_one(backbone.native_bands, name) for name in names]


def native_names(backbone: Backbone, bands: list[dict[str, Any]]) -> list[str]:
    """The native names of the used bands, in order; ValueError if one is missing.

    Bands saved before mappings existed carry no "native" key: they get the
    suggestion, which for a band already named natively is its own name.
    """
    if not needs_mapping(backbone):
        return []
    used = [band for band in bands if band.get("use", True)]
    suggested = suggest(backbone, [band["name"] for band in used])
    names = []
    for band, fallback in zip(used, suggested, strict=True):
        native = band.get("native") or fallback
        if native not in backbone.native_bands:
            raise ValueError(
                f"Band {band['name']} maps to no band of {backbone.name}; "
                "choose one in the tune's band mapping."
            )
        names.append(native)
    return names


def modality(native: str) -> str:
    return native.partition(MODALITY_SEPARATOR)[0]


def band_of(native: str) -> str:
    return native.rpartition(MODALITY_SEPARATOR)[2]


def mapping_errors(
    backbone: Backbone, rows: list[dict[str, Any]]
) -> tuple[dict[int, str], str]:
    """Errors of a band mapping: by position of the row, and for the whole.

    Rows are the wizard's (or the API's) bands: index, use, name, native.
    """
    if not needs_mapping(backbone):
        return {}, ""
    errors: dict[int, str] = {}
    seen: dict[str, str] = {}
    for position, row in enumerate(rows):
        if not row.get("use", True):
            continue
        native = row.get("native") or ""
        if not native:
            errors[position] = (
                f"Choose the {backbone.name} band that {row['name']} is, or "
                "leave the band out."
            )
        elif native not in backbone.native_bands:
            errors[position] = f"{native} is not a band of {backbone.name}."
        elif native in seen:
            errors[position] = f"{seen[native]} already maps to {native}."
        else:
            seen[native] = row["name"]
    if errors or backbone.family != "terramind":
        return errors, ""
    modalities = sorted({modality(native) for native in seen})
    if len(modalities) > 1:
        return errors, (
            "TerraMind takes the bands of one modality per tune; these map to "
            f"{', '.join(modalities)}."
        )
    return errors, ""


def _suggest_one(native_bands: list[str], name: str) -> str:
    by_lower = {band.lower(): band for band in native_bands}
    if name.lower() in by_lower:
        return by_lower[name.lower()]
    hls = _HLS_NAME.get(name.lower(), "")
    for candidate in [hls, *_FALLBACKS.get(hls, [])]:
        for spelling in (candidate, _CLAY_NAME.get(candidate, "")):
            if spelling and spelling.lower() in by_lower:
                return by_lower[spelling.lower()]
    return ""


def _suggest_terramind(backbone: Backbone, names: list[str]) -> list[str]:
    # The modality that knows most of the bands wins, so that one band never
    # drags the tune into a second modality.
    by_modality: dict[str, list[str]] = {}
    for native in backbone.native_bands:
        by_modality.setdefault(modality(native), []).append(native)
    best: list[str] = ["" for _ in names]
    for natives in by_modality.values():
        plain = [band_of(native) for native in natives]
        found = []
        for name in names:
            band = _suggest_one(plain, name)
            found.append(natives[plain.index(band)] if band else "")
        if sum(map(bool, found)) > sum(map(bool, best)):
            best = found
    return best

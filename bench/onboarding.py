"""Benchmark of onboarding: chips checked and band statistics computed per second,
and peak memory, on datasets of tiles cut from the sample chips.

Each of the eleven Sen1Floods11 sample chips (512 x 512, two bands, the broken
ones included) is cut into four 256 x 256 tiles, and each tile is written in
up to eight orientations (rotations and mirrors), so the tiles differ. Two
datasets, of 88 and 352 tiles, are onboarded by datasets.onboarding.
onboard_dataset, each in a fresh process so that its peak memory is its own,
with each step timed: checking every chip (which computes its band
statistics in the same read), merging the statistics over the training chips,
and writing the prepared copies.

    .venv/bin/python bench/onboarding.py
    .venv/bin/python bench/onboarding.py --orientations 8 4

It prints, side by side, the throughput of each step and the peak memory of
both sizes; onboarding reads one chip at a time, so memory should not grow
with the number of chips.
"""

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data" / "sen1floods11"
TILE = 256


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--orientations",
        type=int,
        nargs="+",
        default=[2, 8],
        help="orientations of each tile, one dataset each (1 to 8)",
    )
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(_onboard(args.worker)))
        return

    results = []
    with tempfile.TemporaryDirectory(prefix="studio-bench-onboarding-") as folder:
        for orientations in args.orientations:
            source = Path(folder) / f"tiles-{orientations}"
            count = _write_tiles(source, orientations)
            output = subprocess.run(
                [sys.executable, __file__, "--worker", str(source)],
                check=True,
                capture_output=True,
                text=True,
                cwd=ROOT,
            ).stdout
            result = json.loads(output.strip().splitlines()[-1])
            result["files"] = count
            results.append(result)
    _print(results)


def _write_tiles(folder: Path, orientations: int) -> int:
    """Tiles of the sample chips, laid out as the sample is; how many."""
    import rasterio

    count = 0
    for kind in ("S1Hand", "LabelHand"):
        (folder / kind).mkdir(parents=True)
        for path in sorted((SAMPLE / kind).glob("*.tif")):
            chip_id = path.name.partition(f"_{kind}")[0]
            with rasterio.open(path) as chip:
                for name, profile, data in _tiles(chip, chip_id, orientations):
                    target = folder / kind / f"{name}_{kind}.tif"
                    with rasterio.open(target, "w", **profile) as out:
                        out.write(data)
                    count += kind == "S1Hand"
    return count


def _tiles(chip, chip_id: str, orientations: int):
    """Each quarter of a chip in several orientations, with its profile."""
    import numpy as np
    from rasterio.windows import Window

    data = chip.read()
    for row in range(0, chip.height, TILE):
        for col in range(0, chip.width, TILE):
            window = Window(col, row, TILE, TILE)
            profile = {
                **chip.profile,
                "width": TILE,
                "height": TILE,
                "transform": chip.window_transform(window),
            }
            tile = data[:, row : row + TILE, col : col + TILE]
            for turn in range(orientations):
                oriented = np.rot90(tile, k=turn % 4, axes=(1, 2))
                if turn >= 4:
                    oriented = oriented[:, :, ::-1]
                name = f"{chip_id}-{row}-{col}-{turn}"
                yield name, profile, np.ascontiguousarray(oriented)


def _onboard(source: Path) -> dict:
    """Onboard the tiles into a throwaway database; the timings and memory."""
    storage = tempfile.mkdtemp(prefix="studio-bench-onboarding-storage-")
    os.environ["STUDIO_STORAGE_ROOT"] = storage
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studio_site.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection

    from datasets import onboarding
    from datasets.models import Band, Chip, Dataset, LabelCategory

    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        dataset = Dataset.objects.create(
            name="Tiled flood chips",
            image_suffix="_S1Hand.tif",
            label_suffix="_LabelHand.tif",
            label_nodata=-1,
        )
        Band.objects.create(dataset=dataset, index=0, name="VV")
        Band.objects.create(dataset=dataset, index=1, name="VH")
        LabelCategory.objects.create(dataset=dataset, value=0, name="dry")
        LabelCategory.objects.create(dataset=dataset, value=1, name="water")

        timers = {
            "check": _time(onboarding, "_check_chip"),
            "statistics": _time(onboarding, "_band_statistics"),
            "prepare": _time(onboarding, "_write_prepared_chip"),
        }
        before = _peak_rss_mib()
        start = time.perf_counter()
        onboarding.onboard_dataset(dataset.pk, str(source))
        total = time.perf_counter() - start
        dataset.refresh_from_db()
        assert dataset.status == Dataset.Status.READY, dataset.status_message
        chips = {
            split: dataset.chips.filter(split=split).count() for split in Chip.Split
        }
    finally:
        connection.creation.destroy_test_db(
            connection.settings_dict["NAME"], verbosity=0
        )
        shutil.rmtree(storage)
    return {
        "chips": sum(chips.values()),
        "excluded": chips[Chip.Split.EXCLUDED],
        "train": chips[Chip.Split.TRAIN],
        "seconds": {"total": total, **{k: v[0] for k, v in timers.items()}},
        "calls": {k: v[1] for k, v in timers.items()},
        "rss_before_mib": before,
        "peak_rss_mib": _peak_rss_mib(),
    }


def _time(module, name: str) -> list:
    """Wrap module.name to add up its time and calls into the returned list."""
    totals = [0.0, 0]
    function = getattr(module, name)

    def timed(*args, **kwargs):
        start = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            totals[0] += time.perf_counter() - start
            totals[1] += 1

    setattr(module, name, timed)
    return totals


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _print(results: list[dict]) -> None:
    print(f"Machine: {platform.machine()}, {os.cpu_count()} CPUs")
    print(f"Python {platform.python_version()}; tiles of {TILE} x {TILE}, 2 bands")
    print()
    # Checking a chip also computes its per-band statistics in the same read;
    # the statistics step merges them over the training chips.
    print(
        f"{'chips':>6}{'excluded':>9}{'checked/s':>11}{'merge ms':>10}"
        f"{'prepared/s':>12}{'total chips/s':>15}{'peak MiB':>10}{'(start)':>9}"
    )
    for result in results:
        seconds = result["seconds"]
        accepted = result["chips"] - result["excluded"]
        print(
            f"{result['chips']:>6}{result['excluded']:>9}"
            f"{result['calls']['check'] / seconds['check']:>11.1f}"
            f"{seconds['statistics'] * 1000:>10.2f}"
            f"{accepted / seconds['prepare']:>12.1f}"
            f"{_rate(result):>15.1f}"
            f"{result['peak_rss_mib']:>10.0f}{result['rss_before_mib']:>9.0f}"
        )
    if len(results) > 1:
        small, large = results[0], results[-1]
        print()
        print(
            f"{large['chips']} against {small['chips']} chips: throughput x"
            f"{_rate(large) / _rate(small):.2f}, peak memory x"
            f"{large['peak_rss_mib'] / small['peak_rss_mib']:.2f}"
        )


def _rate(result: dict) -> float:
    return result["chips"] / result["seconds"]["total"]


if __name__ == "__main__":
    main()

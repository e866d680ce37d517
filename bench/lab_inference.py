"""Benchmark of the lab's inference: memory against scene size, and throughput.

Runs the lab's windowed tiled inference (lab.inference.predict) on a real
Sen1Floods11 chip (512 x 512 pixels) and on a scene 64 times its area (4096 x
4096, the chip mirrored), and TerraTorch's own tiled inference
(terratorch.tasks.tiled_inference) on the same scenes with the same model,
tile size, overlap and batch size. Each measurement runs in a fresh process,
so its peak resident memory is its own.

    .venv/bin/python bench/lab_inference.py            # prints a table
    .venv/bin/python bench/lab_inference.py --large 2048

Each is run --repeat times, interleaved: the fastest time and the highest
peak memory count. It prints and asserts nothing about timing. The model is a U-Net on
timm_resnet18 for two bands and two classes, as the sample flood tunes are,
with random weights: throughput does not depend on them.
"""

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHIP = ROOT / "sample_data" / "sen1floods11" / "S1Hand" / "Nigeria_812045_S1Hand.tif"
TILE = 256
STRIDE = 192  # the lab's quarter overlap
BATCH = 8
BANDS = [
    {"index": 0, "name": "VV", "scaling_factor": 1.0, "mean": -10.0, "std": 4.0},
    {"index": 1, "name": "VH", "scaling_factor": 1.0, "mean": -17.0, "std": 5.0},
]
CATEGORIES = [
    {"value": 0, "name": "dry", "colour": "#a6761d", "opacity": 0.0},
    {"value": 1, "name": "water", "colour": "#1f78b4", "opacity": 0.8},
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--large", type=int, default=4096, help="large side, px")
    parser.add_argument(
        "--repeat", type=int, default=2, help="runs of each; the fastest counts"
    )
    parser.add_argument("--worker", choices=["lab", "terratorch"])
    parser.add_argument("--scene", type=Path)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(_measure(args.worker, args.scene)))
        return

    with tempfile.TemporaryDirectory() as folder:
        small = Path(folder) / "small.tif"
        large = Path(folder) / "large.tif"
        _write_scene(small, 512)
        _write_scene(large, args.large)
        runs: dict[tuple[str, str], list[dict]] = {}
        # Interleaved, so that a busy moment of the machine does not fall on
        # one side only.
        for _ in range(args.repeat):
            for name, path in (("small", small), ("large", large)):
                for worker in ("lab", "terratorch"):
                    runs.setdefault((worker, name), []).append(_run(worker, path))
    results = {
        key: {
            **min(each, key=lambda run: run["seconds"]),
            "peak_rss_mb": max(run["peak_rss_mb"] for run in each),
        }
        for key, each in runs.items()
    }
    order = sorted(results, key=lambda key: (key[0], key[1] == "large"))
    _report({key: results[key] for key in order}, args.large)


def _run(worker: str, scene: Path) -> dict:
    command = [sys.executable, __file__, "--worker", worker, "--scene", str(scene)]
    output = subprocess.run(command, check=True, capture_output=True, text=True)
    return json.loads(output.stdout.strip().splitlines()[-1])


def _measure(worker: str, scene: Path) -> dict:
    """Run one inference in this process: seconds, pixels and memory."""
    import numpy as np
    import rasterio
    import torch

    model = _model()
    with rasterio.open(scene) as src:
        height, width = src.height, src.width
    # The first forward pass sets up the CPU kernels: done before the clock
    # starts, for both.
    with torch.inference_mode():
        model(torch.zeros(BATCH, len(BANDS), TILE, TILE))
    model.tiles = 0

    if worker == "lab":
        import django

        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studio_site.settings")
        sys.path.insert(0, str(ROOT))
        django.setup()
        from lab.inference import predict

        config = {"bands": BANDS, "categories": CATEGORIES, "task_type": "segmentation"}
        before = _rss_mb()
        started = time.perf_counter()
        predict(model, scene, scene.with_suffix(".out.tif"), config, TILE)
    else:
        from terratorch.tasks.tiled_inference import tiled_inference

        before = _rss_mb()
        started = time.perf_counter()
        with rasterio.open(scene) as src:
            raw = src.read()
        mean = np.array([b["mean"] for b in BANDS], np.float32).reshape(-1, 1, 1)
        std = np.array([b["std"] for b in BANDS], np.float32).reshape(-1, 1, 1)
        normalised = (np.where(np.isfinite(raw), raw, mean) - mean) / std
        batch = torch.from_numpy(normalised.astype(np.float32))[None]
        scores = tiled_inference(
            lambda x: model(x).output,
            batch,
            crop=TILE,
            stride=STRIDE,
            delta=0,
            batch_size=BATCH,
            padding=False,
        )
        scores.argmax(dim=1).to(torch.uint8).numpy()

    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "pixels": height * width,
        "seconds": seconds,
        "rss_before_mb": before,
        "peak_rss_mb": peak,
        "threads": torch.get_num_threads(),
        "tiles": model.tiles,
    }


def _model():
    import torch
    from terratorch.models import EncoderDecoderFactory

    class Counted(torch.nn.Module):
        """The model, counting the tiles it is given."""

        def __init__(self, model):
            super().__init__()
            self.model = model
            self.tiles = 0

        def forward(self, x):
            self.tiles += x.shape[0]
            return self.model(x)

    torch.manual_seed(0)
    return Counted(
        EncoderDecoderFactory()
        .build_model(
            task="segmentation",
            backbone="timm_resnet18",
            backbone_pretrained=False,
            backbone_in_chans=2,
            backbone_features_only=True,
            decoder="UNetDecoder",
            decoder_channels=[256, 128, 64, 32, 16],
            num_classes=2,
        )
        .eval()
    )


def _write_scene(path: Path, size: int) -> None:
    """The real chip mirrored into a size x size scene, written in strips."""
    import numpy as np
    import rasterio
    from rasterio.windows import Window

    with rasterio.open(CHIP) as src:
        chip = src.read()
        profile = src.profile
    mirrored = np.concatenate([chip, chip[:, :, ::-1]], axis=2)
    mirrored = np.concatenate([mirrored, mirrored[:, ::-1]], axis=1)
    profile.update(
        width=size,
        height=size,
        tiled=True,
        blockxsize=512,
        blockysize=512,
        compress="deflate",
        dtype="float32",
    )
    with rasterio.open(path, "w", **profile) as dst:
        for row in range(0, size, 512):
            height = min(512, size - row)
            top = (row // 512) % 2 * 512
            strip = mirrored[:, top : top + height]
            strip = np.tile(strip, (1, 1, size // 1024 + 1))[:, :, :size]
            dst.write(strip, window=Window(0, row, size, height))


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _report(results: dict, large: int) -> None:
    print(
        f"Machine: {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}"
    )
    print(
        f"Model: U-Net on timm_resnet18, 2 bands, 2 classes; tiles {TILE} px, "
        f"stride {STRIDE} px, batch {BATCH}, "
        f"{results[('lab', 'small')]['threads']} torch threads"
    )
    print()
    header = (
        f"{'inference':<12} {'scene':<12} {'pixels':>11} {'tiles':>6} {'seconds':>8} "
        f"{'Mpx/s':>7} {'RSS before':>11} {'peak RSS':>9} {'growth':>7}"
    )
    print(header)
    print("-" * len(header))
    for (worker, name), result in results.items():
        side = 512 if name == "small" else large
        growth = result["peak_rss_mb"] - result["rss_before_mb"]
        print(
            f"{worker:<12} {f'{side} x {side}':<12} {result['pixels']:>11,} "
            f"{result['tiles']:>6} "
            f"{result['seconds']:>8.2f} "
            f"{result['pixels'] / result['seconds'] / 1e6:>7.3f} "
            f"{result['rss_before_mb']:>8.0f} MB {result['peak_rss_mb']:>6.0f} MB "
            f"{growth:>4.0f} MB"
        )
    print()
    area = (large / 512) ** 2
    for worker in ("lab", "terratorch"):
        ratio = (
            results[(worker, "large")]["peak_rss_mb"]
            / results[(worker, "small")]["peak_rss_mb"]
        )
        print(
            f"{worker}: peak memory on a scene {area:.0f} times the area: "
            f"{ratio:.2f}x the small scene's"
        )
    speed = (
        results[("lab", "large")]["pixels"] / results[("lab", "large")]["seconds"]
    ) / (
        results[("terratorch", "large")]["pixels"]
        / results[("terratorch", "large")]["seconds"]
    )
    print(f"lab throughput on the large scene: {speed:.2f}x TerraTorch's")


if __name__ == "__main__":
    main()

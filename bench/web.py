"""Benchmark of the web side: the model catalog and a model page, small and large.

Fills a throwaway database first with 100 tunes and 1,000 metric rows, then
with 10,000 tunes and about 100,000 metric rows, and at each size renders the
model catalog (its first page and its deepest full page) and the model page of
one tune with 100 epochs of metrics, through Django's test client, signed in.
It prints the number of database queries of each page and its median render
time, and the ratio of the large to the small database: the query count should
not grow with the number of tunes.

    .venv/bin/python bench/web.py                      # on SQLite
    scripts/test-services.sh run .venv/bin/python bench/web.py  # on PostgreSQL

The database is Django's test database of the configured engine, created and
dropped by this script; nothing else is touched.
"""

import argparse
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZES = [(100, 1_000), (10_000, 100_000)]
# The model page's tune: 100 epochs, train and validation, five metrics.
PAGE_EPOCHS = 100
PAGE_METRICS = ["loss", "mIoU", "Accuracy", "Pixel_Accuracy", "F1_Score"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=25)
    args = parser.parse_args()

    storage = tempfile.mkdtemp(prefix="studio-bench-web-")
    os.environ["STUDIO_STORAGE_ROOT"] = storage
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studio_site.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    # Both engines with persistent connections: what a deployment runs.
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        rows = _measure_sizes(args.repeats)
    finally:
        connection.creation.destroy_test_db(
            connection.settings_dict["NAME"], verbosity=0
        )
    shutil.rmtree(storage)
    _print(rows, connection.vendor)


def _measure_sizes(repeats: int) -> list[dict]:
    from django.test import Client
    from django.urls import reverse

    from tunes.views import TUNES_PER_PAGE

    user, dataset, page_tune = _first_rows()
    client = Client()
    client.force_login(user)
    rows = []
    for tunes, metrics in SIZES:
        _grow(user, dataset, tunes, metrics)
        from tunes.models import Tune, TuneMetric

        counts = (Tune.objects.count(), TuneMetric.objects.count())
        catalog = reverse("tunes:list_models")
        pages = {
            "catalog, first page": catalog,
            # The deepest page that is full at either size.
            "catalog, deep page": f"{catalog}?page={tunes // TUNES_PER_PAGE}",
            "model page": reverse("tunes:show_tune", args=[page_tune.pk]),
        }
        for name, url in pages.items():
            queries, median = _render(client, url, repeats)
            rows.append(
                {
                    "page": name,
                    "tunes": counts[0],
                    "metrics": counts[1],
                    "queries": queries,
                    "median_ms": median * 1000,
                }
            )
    return rows


def _render(client, url: str, repeats: int) -> tuple[int, float]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(2):  # warm the template and connection caches
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    # Read now: every request empties the log the context reads from.
    queries = len(captured.captured_queries)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        client.get(url)
        times.append(time.perf_counter() - start)
    return queries, statistics.median(times)


def _first_rows():
    from django.contrib.auth import get_user_model

    from datasets.models import Band, Dataset, LabelCategory
    from tunes.models import Backbone, Template, Tune, TuneMetric
    from tunes.parameters import defaults

    user = get_user_model().objects.create_user("bench", password="bench-pass-123")
    dataset = Dataset.objects.create(
        owner=user,
        name="Flood chips",
        image_suffix="_S1Hand.tif",
        label_suffix="_LabelHand.tif",
        status=Dataset.Status.READY,
        chip_height=512,
        chip_width=512,
    )
    Band.objects.create(dataset=dataset, index=0, name="VV", mean=-10.0, std=4.0)
    Band.objects.create(dataset=dataset, index=1, name="VH", mean=-17.0, std=5.0)
    LabelCategory.objects.create(dataset=dataset, value=0, name="dry")
    LabelCategory.objects.create(dataset=dataset, value=1, name="water")

    template = Template.objects.get(slug="resnet-segmentation")
    tune = Tune.objects.create(
        owner=user,
        name="The tune on show",
        template=template,
        backbone=Backbone.objects.get(name="timm_resnet18"),
        dataset=dataset,
        parameters=defaults(template.parameters),
        status=Tune.Status.FINISHED,
        epoch=PAGE_EPOCHS,
        max_epochs=PAGE_EPOCHS,
        test_metrics={"mIoU": 0.71, "IoU_dry": 0.9, "IoU_water": 0.52},
    )
    TuneMetric.objects.bulk_create(
        TuneMetric(
            tune=tune, epoch=epoch, split=split, name=name, value=1 / (epoch + 1)
        )
        for epoch in range(PAGE_EPOCHS)
        for split in ("train", "val")
        for name in PAGE_METRICS
    )
    return user, dataset, tune


def _grow(user, dataset, tunes: int, metrics: int) -> None:
    """Add finished tunes, each with a few epochs of loss, up to the counts."""
    from tunes.models import Backbone, Template, Tune, TuneMetric
    from tunes.parameters import defaults

    template = Template.objects.get(slug="resnet-segmentation")
    backbone = Backbone.objects.get(name="timm_resnet18")
    parameters = defaults(template.parameters)
    missing = tunes - Tune.objects.count()
    new = Tune.objects.bulk_create(
        (
            Tune(
                owner=user,
                name=f"Tune {number}",
                template=template,
                backbone=backbone,
                dataset=dataset,
                parameters=parameters,
                status=Tune.Status.FINISHED,
                epoch=5,
                max_epochs=5,
                test_metrics={"mIoU": 0.5},
            )
            for number in range(missing)
        ),
        batch_size=1000,
    )
    missing = metrics - TuneMetric.objects.count()
    rows = []
    for tune in new:
        for epoch in range(5):
            for split in ("train", "val"):
                if len(rows) < missing:
                    rows.append(
                        TuneMetric(
                            tune=tune, epoch=epoch, split=split, name="loss", value=1.0
                        )
                    )
    TuneMetric.objects.bulk_create(rows, batch_size=5000)


def _print(rows: list[dict], vendor: str) -> None:
    print(f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, {_memory()}")
    print(f"Python {platform.python_version()}, database: {vendor}")
    print()
    header = f"{'page':<22}{'tunes':>8}{'metrics':>10}{'queries':>9}{'median ms':>11}"
    print(header)
    for row in rows:
        print(
            f"{row['page']:<22}{row['tunes']:>8}{row['metrics']:>10}"
            f"{row['queries']:>9}{row['median_ms']:>11.1f}"
        )
    print()
    small = {row["page"]: row for row in rows if row["tunes"] == SIZES[0][0]}
    for row in rows:
        if row["tunes"] == SIZES[0][0]:
            continue
        base = small[row["page"]]
        print(
            f"{row['page']}: {row['queries']} queries against {base['queries']}, "
            f"render time x{row['median_ms'] / base['median_ms']:.2f} "
            f"with {row['tunes'] // base['tunes']}x the tunes"
        )


def _memory() -> str:
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError):
        return "memory unknown"
    return f"{pages / 1024**3:.0f} GiB memory"


if __name__ == "__main__":
    main()

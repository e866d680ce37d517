import numpy as np
import pytest
import rasterio
from affine import Affine

from datasets.models import Chip, Dataset
from datasets.onboarding import onboard_dataset
from datasets.specs import BandSpec

from .helpers import (
    REGRESSION,
    SEN1FLOODS11,
    copy_chips,
    make_dataset,
    onboarded,
    write_chip,
    write_synthetic_chips,
)

pytestmark = pytest.mark.django_db


def _splits(dataset):
    return {
        split: dataset.split_file(split).read_text().split()
        for split in ("train", "val", "test")
    }


class TestOnboardDataset:
    def test_it_onboards_the_real_sample(self):
        dataset = onboarded(make_dataset(), SEN1FLOODS11)

        assert dataset.status == Dataset.Status.READY
        assert dataset.onboarded is not None
        assert (dataset.chip_height, dataset.chip_width) == (512, 512)
        assert dataset.chips.count() == 11
        assert dataset.chips.exclude(split=Chip.Split.EXCLUDED).count() == 9

    def test_it_excludes_the_broken_chips_and_warns_about_one_class(self):
        dataset = onboarded(make_dataset(), SEN1FLOODS11)
        chips = {chip.chip_id: chip for chip in dataset.chips.all()}

        assert chips["Paraguay_34417"].split == Chip.Split.EXCLUDED
        assert "image is entirely no data (NaN)" in chips["Paraguay_34417"].warning
        assert chips["Ghana_83483"].split == Chip.Split.EXCLUDED
        assert "label is entirely no data" in chips["Ghana_83483"].warning
        assert chips["Ghana_53713"].split != Chip.Split.EXCLUDED
        assert "one class only" in chips["Ghana_53713"].warning

        log = dataset.log_path.read_text()
        assert "Paraguay_34417: excluded: image is entirely no data" in log
        assert "Ghana_53713" in log and "one class only" in log

    def test_it_splits_reproducibly_and_fills_every_split(self, storage_root):
        first = onboarded(make_dataset(), SEN1FLOODS11)
        second = onboarded(make_dataset(name="Again"), SEN1FLOODS11)

        assert _splits(first) == _splits(second)
        splits = _splits(first)
        assert all(splits.values())
        assert sorted(sum(splits.values(), [])) == sorted(
            first.chips.exclude(split=Chip.Split.EXCLUDED).values_list(
                "chip_id", flat=True
            )
        )
        for split, chip_ids in splits.items():
            assert set(
                first.chips.filter(split=split).values_list("chip_id", flat=True)
            ) == set(chip_ids)

    def test_it_writes_prepared_copies_without_nan(self):
        dataset = onboarded(make_dataset(), SEN1FLOODS11)
        accepted = dataset.chips.exclude(split=Chip.Split.EXCLUDED)

        assert sorted(dataset.images_dir.iterdir()) == sorted(
            dataset.prepared_image(chip.chip_id) for chip in accepted
        )
        for chip in accepted:
            with rasterio.open(dataset.prepared_image(chip.chip_id)) as src:
                image = src.read()
                assert src.dtypes == ("float32", "float32")
                assert src.crs.to_epsg() == 4326
            with rasterio.open(dataset.prepared_label(chip.chip_id)) as src:
                label = src.read(1)
                assert src.dtypes == ("int16",)
            assert not np.isnan(image).any()
            assert set(np.unique(label)) <= {-1, 0, 1}

    def test_it_fills_nodata_with_the_training_mean(self, tmp_path):
        folder = write_synthetic_chips(tmp_path / "chips", 4)
        with rasterio.open(folder / "chip00_S1Hand.tif", "r+") as src:
            image = src.read()
            image[:, 0, 0] = np.nan
            src.write(image)

        dataset = onboarded(make_dataset(), folder)

        with rasterio.open(dataset.prepared_image("chip00")) as src:
            prepared = src.read()
        means = [band.mean for band in dataset.bands.all()]
        assert prepared[:, 0, 0] == pytest.approx(means)

    def test_band_statistics_match_numpy_over_the_training_chips(self):
        dataset = onboarded(make_dataset(), SEN1FLOODS11)

        values = [[], []]
        for chip_id in _splits(dataset)["train"]:
            with rasterio.open(
                SEN1FLOODS11 / "S1Hand" / f"{chip_id}_S1Hand.tif"
            ) as src:
                image = src.read().astype(np.float64)
            for band in range(2):
                values[band].append(image[band][np.isfinite(image[band])])
        for band in dataset.bands.all():
            expected = np.concatenate(values[band.index])
            assert band.mean == pytest.approx(expected.mean(), rel=1e-9)
            assert band.std == pytest.approx(expected.std(), rel=1e-9)

    def test_it_applies_scaling_factors(self, tmp_path):
        folder = write_synthetic_chips(tmp_path / "chips", 3)
        plain = onboarded(make_dataset(), folder)
        scaled = onboarded(
            make_dataset(bands=[BandSpec("VV", 10), BandSpec("VH", 0.5)]), folder
        )

        plain_vv, plain_vh = plain.bands.all()
        scaled_vv, scaled_vh = scaled.bands.all()
        assert scaled_vv.mean == pytest.approx(plain_vv.mean * 10)
        assert scaled_vh.std == pytest.approx(plain_vh.std * 0.5)

    def test_running_it_twice_does_nothing_the_second_time(self):
        dataset = onboarded(make_dataset(), SEN1FLOODS11)
        log = dataset.log_path.read_text()

        again = onboarded(dataset, SEN1FLOODS11)

        assert again.status == Dataset.Status.READY
        assert again.onboarded == dataset.onboarded
        assert dataset.log_path.read_text() == log

    def test_a_failed_dataset_can_be_onboarded_again(self, tmp_path):
        dataset = onboarded(make_dataset(), tmp_path / "missing")
        assert dataset.status == Dataset.Status.FAILED
        assert "does not exist" in dataset.status_message

        assert onboarded(dataset, SEN1FLOODS11).status == Dataset.Status.READY

    def test_it_excludes_a_truncated_geotiff_and_names_it(self, tmp_path):
        folder = copy_chips(tmp_path / "chips", ["Spain_6860600", "USA_905409"])
        write_synthetic_chips(folder, 3, size=512)
        image = folder / "USA_905409_S1Hand.tif"
        image.write_bytes(image.read_bytes()[:300_000])

        dataset = onboarded(make_dataset(), folder)

        assert dataset.status == Dataset.Status.READY
        chip = dataset.chips.get(chip_id="USA_905409")
        assert chip.split == Chip.Split.EXCLUDED
        assert "image is unreadable" in chip.warning
        assert (
            "USA_905409: excluded: image is unreadable" in dataset.log_path.read_text()
        )

    def test_it_excludes_a_file_that_is_not_a_geotiff(self, tmp_path, shared_data):
        folder = write_synthetic_chips(tmp_path / "chips", 4)
        # A real image, but a PNG wearing the GeoTIFF's name.
        png = folder / "chip02_S1Hand.tif"
        with rasterio.open(shared_data / "scenes" / "ftw_two_date_s2_8band.tif") as src:
            band = src.read(1, window=((0, 8), (0, 8))).astype("uint8")
        with rasterio.open(
            png, "w", driver="PNG", width=8, height=8, count=1, dtype="uint8"
        ) as dst:
            dst.write(band, 1)

        dataset = onboarded(make_dataset(), folder)

        chip = dataset.chips.get(chip_id="chip02")
        assert chip.split == Chip.Split.EXCLUDED
        assert "image is unreadable" in chip.warning
        assert dataset.status == Dataset.Status.READY

    def test_it_excludes_a_label_with_a_value_outside_the_categories(self, tmp_path):
        folder = write_synthetic_chips(tmp_path / "chips", 4)
        label = np.zeros((8, 8), np.int16)
        label[0, :3] = [1, 7, 9]
        write_chip(folder / "chip01_LabelHand.tif", label)

        dataset = onboarded(make_dataset(), folder)

        chip = dataset.chips.get(chip_id="chip01")
        assert chip.split == Chip.Split.EXCLUDED
        assert "values outside the categories: 7, 9" in chip.warning

    def test_it_writes_unsigned_label_nodata_as_minus_one(self, tmp_path):
        folder = write_synthetic_chips(tmp_path / "chips", 3)
        label = (np.arange(64).reshape(8, 8) % 2).astype(np.uint8)
        label[0, 0] = 255
        write_chip(folder / "chip00_LabelHand.tif", label)

        dataset = onboarded(make_dataset(label_nodata=255), folder)

        assert dataset.status == Dataset.Status.READY, dataset.status_message
        with rasterio.open(dataset.prepared_label("chip00")) as src:
            prepared = src.read(1)
        assert prepared[0, 0] == -1 and prepared[0, 1] == 1

    def test_it_excludes_chips_that_do_not_match(self, tmp_path):
        folder = write_synthetic_chips(tmp_path / "chips", 9)
        (folder / "chip00_LabelHand.tif").unlink()
        (folder / "chip01_S1Hand.tif").unlink()
        write_chip(folder / "chip02_S1Hand.tif", np.ones((3, 8, 8), np.float32))
        write_chip(folder / "chip03_LabelHand.tif", np.zeros((2, 8, 8), np.int16))
        write_chip(folder / "chip04_LabelHand.tif", np.zeros((8, 9), np.int16))
        write_chip(
            folder / "chip05_LabelHand.tif", np.zeros((8, 8), np.int16), crs="EPSG:4326"
        )
        write_chip(folder / "chip06_S1Hand.tif", np.ones((2, 4, 4), np.float32))
        write_chip(folder / "chip06_LabelHand.tif", np.ones((4, 4), np.int16))
        shifted = Affine(10, 0, 500005, 0, -10, 4000000)
        write_chip(
            folder / "chip07_LabelHand.tif",
            np.zeros((8, 8), np.int16),
            transform=shifted,
        )

        dataset = onboarded(make_dataset(), folder)

        reasons = dict(
            dataset.chips.filter(split=Chip.Split.EXCLUDED).values_list(
                "chip_id", "warning"
            )
        )
        assert "no label file" in reasons["chip00"]
        assert "no image file" in reasons["chip01"]
        assert "image has 3 bands, the dataset has 2" in reasons["chip02"]
        assert "label has 2 bands" in reasons["chip03"]
        assert "label is 8 x 9" in reasons["chip04"]
        assert "CRS" in reasons["chip05"]
        assert (
            "chip is 4 x 4 pixels, the dataset's chips are 8 x 8" in reasons["chip06"]
        )
        assert "not aligned" in reasons["chip07"]
        assert len(reasons) == 8
        assert dataset.status == Dataset.Status.READY
        assert dataset.chips.get(chip_id="chip08").split == Chip.Split.TRAIN

    def test_it_fails_when_no_chip_is_usable(self, tmp_path):
        folder = copy_chips(tmp_path / "chips", ["Paraguay_34417", "Ghana_83483"])

        dataset = onboarded(make_dataset(), folder)

        assert dataset.status == Dataset.Status.FAILED
        assert "No usable chip" in dataset.status_message
        assert dataset.chips.filter(split=Chip.Split.EXCLUDED).count() == 2
        assert "Failed: No usable chip" in dataset.log_path.read_text()

    def test_it_fails_when_no_file_matches_the_suffixes(self):
        dataset = onboarded(
            make_dataset(image_suffix="_S9.tif", label_suffix="_L9.tif"), SEN1FLOODS11
        )

        assert dataset.status == Dataset.Status.FAILED
        assert 'No file name ends with the image suffix "_S9.tif"' in (
            dataset.status_message
        )
        assert "Ghana_53713_LabelHand.tif" in dataset.status_message

    def test_an_unexpected_error_ends_failed_with_the_reason_in_the_log(
        self, monkeypatch
    ):
        def explode(*args, **kwargs):
            raise ZeroDivisionError("boom")

        monkeypatch.setattr("datasets.onboarding._band_statistics", explode)

        dataset = onboarded(make_dataset(), SEN1FLOODS11)

        assert dataset.status == Dataset.Status.FAILED
        assert "ZeroDivisionError" in dataset.status_message
        log = dataset.log_path.read_text()
        assert "Traceback" in log and "boom" in log

    def test_it_skips_a_dataset_that_is_not_pending_or_failed(self):
        dataset = make_dataset()
        Dataset.objects.filter(pk=dataset.pk).update(status=Dataset.Status.ONBOARDING)

        onboard_dataset(dataset.pk, str(SEN1FLOODS11))

        dataset.refresh_from_db()
        assert dataset.status == Dataset.Status.ONBOARDING
        assert not dataset.log_path.exists()

    def test_it_onboards_the_regression_sample_into_every_split(self):
        dataset = make_dataset(
            task_type=Dataset.TaskType.REGRESSION,
            bands=[BandSpec(f"B{n}") for n in range(10)],
            categories=[],
            image_suffix="_input.tif",
            label_suffix="_label.tif",
        )

        dataset = onboarded(dataset, REGRESSION)

        assert dataset.status == Dataset.Status.READY
        assert _splits(dataset) == {s: ["hls_sample"] for s in ("train", "val", "test")}
        assert "fewer than 3 chips" in dataset.chips.get().warning
        assert "every chip is used for training" in dataset.log_path.read_text()
        with rasterio.open(dataset.prepared_image("hls_sample")) as src:
            image = src.read()
        with rasterio.open(dataset.prepared_label("hls_sample")) as src:
            label = src.read(1)
            assert src.dtypes == ("float32",)
        assert not np.isnan(image).any() and (image != -9999).all()
        assert (label == -1).any() and label.max() == pytest.approx(23.3, abs=0.1)

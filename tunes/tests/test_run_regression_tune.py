"""Real regression tunes of Prithvi on the real HLS sample, with a tiny budget."""

import pytest
import rasterio
from rasterio.windows import Window

from datasets.models import Band, Dataset
from datasets.onboarding import onboard_dataset
from tunes import configs
from tunes.jobs import queue_tune, run_tune
from tunes.models import Tune
from tunes.weights import decide

from .conftest import REGRESSION_BANDS
from .factories import HLS, make_tune_of

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

# One chip serves as train, val and test alike: a batch of one, with a decoder
# that normalises over whole feature maps.
TINY = {
    "max_epochs": 2,
    "crop_size": 64,
    "batch_size": 1,
    "decoder": "UNetDecoder",
    "lr": 1e-3,
}


class TestRunRegressionTune:
    def test_it_tunes_prithvi_and_records_rmse_and_mae(self, user, regression_dataset):
        tune = make_tune_of("Prithvi_EO_V1_100M", user, regression_dataset, **TINY)
        used = [band for band in tune.bands if band["use"]]
        assert [band["native"] for band in used] == HLS
        model_args = configs.render(tune, decide(tune.backbone))["model"]["init_args"][
            "model_args"
        ]
        assert model_args["backbone_bands"] == HLS

        queue_tune(tune)
        run_tune(tune.pk)

        tune.refresh_from_db()
        assert tune.status == Tune.Status.FINISHED, tune.status_message
        assert "random initialisation" in tune.weights_source
        assert tune.checkpoint_path.is_file()
        for split in ("train", "val"):
            for name in ("RMSE", "MAE", "loss"):
                epochs = set(
                    tune.metrics.filter(split=split, name=name).values_list(
                        "epoch", flat=True
                    )
                )
                assert epochs == {0, 1}, (split, name)
        assert tune.test_metrics["RMSE"] >= 0
        assert tune.test_metrics["MAE"] >= 0
        # Only the bands Prithvi knows were read: the log of the datamodule is
        # not enough, the band count of the first layer is.
        log = tune.log_path.read_text()
        assert "finished" in log

    def test_a_chip_of_no_whole_patches_tunes(self, user, tmp_path, shared_data):
        """100 x 90 pixels: neither side is a multiple of Prithvi's 16-pixel patch.

        Validation and test run on the whole chip, so the prediction must cover
        every pixel of the label, edges included, or the loss would not compute.
        """
        source = tmp_path / "odd"
        source.mkdir()
        # The sample's few labelled pixels lie in its lower right part.
        window = Window(col_off=120, row_off=110, width=90, height=100)
        for name, suffix in [
            ("hls_sample_input", "_input"),
            ("hls_sample_label", "_label"),
        ]:
            with rasterio.open(shared_data / "regression" / f"{name}.tif") as src:
                profile = src.profile | {
                    "width": 90,
                    "height": 100,
                    "transform": src.window_transform(window),
                }
                with rasterio.open(source / f"odd{suffix}.tif", "w", **profile) as dst:
                    dst.write(src.read(window=window))
        dataset = Dataset.objects.create(
            owner=user,
            name="Odd chip",
            task_type=Dataset.TaskType.REGRESSION,
            image_suffix="_input.tif",
            label_suffix="_label.tif",
        )
        for index, band_name in enumerate(REGRESSION_BANDS):
            Band.objects.create(dataset=dataset, index=index, name=band_name)
        onboard_dataset(dataset.pk, str(source))
        dataset.refresh_from_db()
        assert (dataset.chip_height, dataset.chip_width) == (100, 90)

        tune = make_tune_of(
            "Prithvi_EO_V1_100M", user, dataset, **{**TINY, "max_epochs": 1}
        )
        queue_tune(tune)
        run_tune(tune.pk)

        tune.refresh_from_db()
        assert tune.status == Tune.Status.FINISHED, tune.status_message
        assert tune.test_metrics["RMSE"] >= 0

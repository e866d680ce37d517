import pytest
import rasterio
from django.core.management import CommandError, call_command

from lab.models import InferenceRun
from tunes.tests.factories import make_tune

pytestmark = pytest.mark.django_db


class TestRunInferenceCommand:
    @pytest.mark.slow
    def test_it_runs_a_finished_tune_on_a_file(self, finished_tune, shared_data):
        chip = shared_data / "sen1floods11" / "S1Hand" / "USA_905409_S1Hand.tif"

        call_command("run_inference", str(finished_tune.pk), str(chip))

        run = InferenceRun.objects.get()
        assert run.status == InferenceRun.Status.FINISHED
        with rasterio.open(chip) as source, rasterio.open(run.prediction_path) as out:
            assert out.crs == source.crs
            assert out.transform == source.transform
            assert set(out.colormap(1)) >= {0, 1}

    def test_it_refuses_an_unfinished_tune(self, user, shared_data):
        tune = make_tune(user, status="running")
        chip = shared_data / "sen1floods11" / "S1Hand" / "USA_905409_S1Hand.tif"
        with pytest.raises(CommandError, match="only a finished tune"):
            call_command("run_inference", str(tune.pk), str(chip))

    def test_it_refuses_a_file_that_is_not_a_geotiff(self, user, tmp_path):
        tune = make_tune(user, status="finished")
        text = tmp_path / "notes.tif"
        text.write_text("not an image")
        with pytest.raises(CommandError, match="not a readable GeoTIFF"):
            call_command("run_inference", str(tune.pk), str(text))
        assert not InferenceRun.objects.exists()

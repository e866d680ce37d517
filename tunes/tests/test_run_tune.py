"""Real tunes on the real Sen1Floods11 chips, with a tiny budget."""

import pytest
import torch
from django.urls import reverse
from django_q.conf import Conf

from tunes.jobs import queue_tune, run_tune
from tunes.models import Tune

from .factories import make_tune
from .test_edit_draft import _bands_post, _parameters_post, _setup, _url

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

TINY = {"max_epochs": 2, "crop_size": 64, "batch_size": 2, "lr": 1e-3}


def _tiny_tune(user, dataset, **parameters):
    tune = make_tune(user, dataset=dataset, name="Tiny flood tune")
    tune.parameters.update(TINY, **parameters)
    tune.save()
    return tune


class TestRunTune:
    def test_it_trains_checkpoints_and_records_metrics(self, user, flood_dataset):
        tune = _tiny_tune(user, flood_dataset)
        queue_tune(tune)
        run_tune(tune.pk)

        tune.refresh_from_db()
        assert tune.status == Tune.Status.FINISHED, tune.status_message
        assert tune.started and tune.finished
        assert tune.epoch == 2
        assert "random initialisation" in tune.weights_source
        # It keeps the statistics it normalised with, whatever the dataset
        # becomes later.
        vv = flood_dataset.bands.get(index=0)
        assert tune.bands[0]["mean"] == pytest.approx(vv.mean)
        assert tune.bands[0]["std"] == pytest.approx(vv.std)

        checkpoint = torch.load(
            tune.checkpoint_path, map_location="cpu", weights_only=False
        )
        assert any(key.startswith("model.") for key in checkpoint["state_dict"])

        for split in ("train", "val"):
            epochs = set(
                tune.metrics.filter(split=split, name="loss").values_list(
                    "epoch", flat=True
                )
            )
            assert epochs == {0, 1}, split
        assert tune.metrics.filter(split="val", name="mIoU").count() == 2
        assert 0.0 <= tune.test_metrics["mIoU"] <= 1.0
        assert "test/loss" not in tune.test_metrics

        log = tune.log_path.read_text()
        assert "started" in log and "finished" in log
        # The broken chips were excluded at onboarding, and the tune says so.
        assert "Paraguay_34417" in log

    def test_it_fails_with_the_reason_when_a_chip_breaks(self, user, flood_dataset):
        train_chip = flood_dataset.chips.filter(split="train").first()
        broken = next(flood_dataset.images_dir.glob(f"{train_chip.chip_id}*"))
        broken.write_bytes(broken.read_bytes()[:1000])
        tune = _tiny_tune(user, flood_dataset)
        queue_tune(tune)

        run_tune(tune.pk)

        tune.refresh_from_db()
        assert tune.status == Tune.Status.FAILED
        assert tune.status_message
        log = tune.log_path.read_text()
        assert "failed" in log
        assert train_chip.chip_id in log

    def test_it_runs_a_queued_tune_once(self, user, flood_dataset):
        tune = _tiny_tune(user, flood_dataset, max_epochs=1)
        queue_tune(tune)
        run_tune(tune.pk)
        finished = Tune.objects.get(pk=tune.pk).finished

        run_tune(tune.pk)  # delivered a second time

        tune.refresh_from_db()
        assert tune.status == Tune.Status.FINISHED
        assert tune.finished == finished


class TestTheWholeFlow:
    def test_a_person_creates_a_tune_and_reads_its_metrics(
        self, signed_in, flood_dataset, monkeypatch, django_capture_on_commit_callbacks
    ):
        # The worker's job runs in this process, as soon as it is queued.
        monkeypatch.setattr(Conf, "SYNC", True)
        _setup(signed_in, name="Ghana floods")
        signed_in.post(_url("dataset"), _bands_post(flood_dataset))
        signed_in.post(_url("parameters"), _parameters_post(**TINY))
        with django_capture_on_commit_callbacks(execute=True):
            signed_in.post(_url("review"))

        tune = Tune.objects.get(name="Ghana floods")
        assert tune.status == Tune.Status.FINISHED, tune.status_message
        page = signed_in.get(reverse("tunes:show_tune", args=[tune.pk]))
        html = page.content.decode()
        assert "Finished" in html
        assert 'id="chart-mIoU"' in html
        assert "Test metrics" in html
        poll = signed_in.get(
            reverse("tunes:show_tune", args=[tune.pk]), HTTP_HX_REQUEST="true"
        )
        assert poll.status_code == 286
        log = signed_in.get(reverse("tunes:download_log", args=[tune.pk]))
        assert b"finished" in b"".join(log.streaming_content)

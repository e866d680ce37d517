import pytest
from django.urls import reverse

from tunes.lifecycle import move
from tunes.models import Tune

from .factories import make_tune

pytestmark = pytest.mark.django_db


class TestShowTune:
    def test_it_charts_the_metrics_per_epoch(self, signed_in, user):
        tune = make_tune(user, status=Tune.Status.FINISHED)
        for epoch in range(3):
            for split in ("train", "val"):
                tune.metrics.create(
                    epoch=epoch, split=split, name="loss", value=1 / (epoch + 1)
                )
                tune.metrics.create(
                    epoch=epoch, split=split, name="mIoU", value=epoch / 4
                )
        tune.test_metrics = {"mIoU": 0.61, "IoU_dry": 0.9, "IoU_water": 0.32,
                             "Class_Accuracy_water": 0.5}  # fmt: skip
        tune.save()

        html = signed_in.get(tune.get_absolute_url()).content.decode()

        assert 'id="chart-loss"' in html and 'id="chart-mIoU"' in html
        assert "0.6100" in html
        assert "<td>water</td><td>0.3200</td><td>0.5000</td>" in html

    def test_a_running_tune_polls_until_it_ends(self, signed_in, user):
        tune = make_tune(user, status=Tune.Status.RUNNING, epoch=2, max_epochs=4)
        url = tune.get_absolute_url()

        running = signed_in.get(url, HTTP_HX_REQUEST="true")
        assert running.status_code == 200
        assert 'hx-trigger="every 3s"' in running.content.decode()
        assert "Epoch 2 of 4" in running.content.decode()

        move(tune.pk, [Tune.Status.RUNNING], Tune.Status.FAILED, "Out of memory")
        ended = signed_in.get(url, HTTP_HX_REQUEST="true")
        assert ended.status_code == 286
        assert "Out of memory" in ended.content.decode()
        assert "hx-trigger" not in ended.content.decode()

    def test_it_shows_the_status_history(self, signed_in, user):
        tune = make_tune(user)
        move(tune.pk, [Tune.Status.PENDING], Tune.Status.QUEUED)
        move(
            tune.pk,
            [Tune.Status.QUEUED],
            Tune.Status.CANCELLED,
            "Cancelled by a person",
        )

        html = signed_in.get(tune.get_absolute_url()).content.decode()

        assert "Status history" in html
        assert "Cancelled by a person" in html

    def test_another_users_private_tune_is_not_found(self, signed_in, other_user):
        tune = make_tune(other_user)
        assert signed_in.get(tune.get_absolute_url()).status_code == 404
        card = reverse("tunes:show_tune_card", args=[tune.pk])
        assert signed_in.get(card).status_code == 404

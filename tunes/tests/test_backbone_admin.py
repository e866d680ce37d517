import json

import pytest
from django.urls import reverse
from django_q.conf import Conf

from tunes.models import Backbone

pytestmark = pytest.mark.django_db


def _form(backbone: Backbone, **changes) -> dict:
    data = {
        "name": backbone.name,
        "registry_name": backbone.registry_name,
        "family": backbone.family,
        "description": backbone.description,
        "native_bands": json.dumps(backbone.native_bands),
        "parameter_count": backbone.parameter_count,
        "hub_repo_id": backbone.hub_repo_id,
        "hub_filename": backbone.hub_filename,
        "weights_path": backbone.weights_path,
    }
    return data | changes


class TestBackboneAdmin:
    def test_the_worker_checks_a_file_registered_in_the_admin(
        self,
        client,
        staff_user,
        resnet18_weights,
        monkeypatch,
        django_capture_on_commit_callbacks,
    ):
        monkeypatch.setattr(Conf, "SYNC", True)  # the job runs in this process
        client.force_login(staff_user)
        backbone = Backbone.objects.get(name="timm_resnet18")
        url = reverse("admin:tunes_backbone_change", args=[backbone.pk])

        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                url, _form(backbone, weights_path=str(resnet18_weights))
            )

        assert response.status_code == 302
        backbone.refresh_from_db()
        assert backbone.weights_path == str(resnet18_weights)
        assert backbone.weights_tensors_matched == backbone.weights_tensors_total > 0
        assert "weight tensors loaded" in backbone.weights_check_message
        page = client.get(url).content.decode()
        assert backbone.weights_check_message in page

    def test_it_records_why_a_file_does_not_load(
        self,
        client,
        staff_user,
        resnet18_weights,
        monkeypatch,
        django_capture_on_commit_callbacks,
    ):
        monkeypatch.setattr(Conf, "SYNC", True)
        client.force_login(staff_user)
        backbone = Backbone.objects.get(name="Prithvi_EO_V1_100M")
        url = reverse("admin:tunes_backbone_change", args=[backbone.pk])

        with django_capture_on_commit_callbacks(execute=True):
            client.post(url, _form(backbone, weights_path=str(resnet18_weights)))

        backbone.refresh_from_db()
        assert backbone.weights_tensors_matched == 0
        assert "does not load into Prithvi_EO_V1_100M" in (
            backbone.weights_check_message
        )

    def test_it_refuses_a_relative_path(self, client, staff_user):
        client.force_login(staff_user)
        backbone = Backbone.objects.get(name="timm_resnet18")
        url = reverse("admin:tunes_backbone_change", args=[backbone.pk])

        response = client.post(url, _form(backbone, weights_path="weights.pt"))

        assert "Give the absolute path" in response.content.decode()
        backbone.refresh_from_db()
        assert backbone.weights_path == ""

    def test_the_worker_reports_a_missing_file(
        self,
        client,
        staff_user,
        tmp_path,
        monkeypatch,
        django_capture_on_commit_callbacks,
    ):
        monkeypatch.setattr(Conf, "SYNC", True)
        client.force_login(staff_user)
        backbone = Backbone.objects.get(name="timm_resnet18")
        url = reverse("admin:tunes_backbone_change", args=[backbone.pk])
        missing = str(tmp_path / "none.pt")

        with django_capture_on_commit_callbacks(execute=True):
            client.post(url, _form(backbone, weights_path=missing))

        backbone.refresh_from_db()
        assert backbone.weights_tensors_matched == 0
        assert f"{missing} is not a file" in backbone.weights_check_message

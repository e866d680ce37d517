import pytest
from django.urls import reverse

from tunes.models import Tune

from .factories import make_tune

pytestmark = pytest.mark.django_db


class TestTuneAdmin:
    def test_every_catalog_page_renders(self, client, staff_user, user):
        client.force_login(staff_user)
        tune = make_tune(user)
        for name, args in [
            ("admin:tunes_tune_changelist", []),
            ("admin:tunes_tune_change", [tune.pk]),
            ("admin:tunes_backbone_changelist", []),
            ("admin:tunes_template_changelist", []),
        ]:
            assert client.get(reverse(name, args=args)).status_code == 200, name

    def test_the_actions_cancel_retry_and_share(
        self, client, staff_user, user, django_capture_on_commit_callbacks
    ):
        client.force_login(staff_user)
        queued = make_tune(user, status=Tune.Status.QUEUED)
        failed = make_tune(user, status=Tune.Status.FAILED)
        url = reverse("admin:tunes_tune_changelist")

        client.post(url, {"action": "cancel", "_selected_action": [queued.pk]})
        with django_capture_on_commit_callbacks() as enqueued:
            client.post(url, {"action": "retry", "_selected_action": [failed.pk]})
        client.post(url, {"action": "mark_shared", "_selected_action": [queued.pk]})

        queued.refresh_from_db()
        failed.refresh_from_db()
        assert queued.status == Tune.Status.CANCELLED
        assert queued.shared
        assert failed.status == Tune.Status.QUEUED
        assert len(enqueued) == 1

import pytest
from django.urls import reverse

from tunes.models import Backbone

from .factories import make_tune

pytestmark = pytest.mark.django_db


class TestListModels:
    def test_it_needs_a_signed_in_user(self, client):
        response = client.get(reverse("tunes:list_models"))
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))

    def test_it_lists_every_backbone_of_the_catalog(self, signed_in):
        response = signed_in.get(reverse("tunes:list_models"))
        html = response.content.decode()
        assert Backbone.objects.count() == 14
        for backbone in Backbone.objects.all():
            assert backbone.name in html

    def test_it_shows_own_and_shared_tunes_only(self, signed_in, user, other_user):
        make_tune(user, name="My flood tune")
        make_tune(other_user, name="Bob's private tune")
        make_tune(other_user, name="Bob's shared tune", shared=True)

        html = signed_in.get(reverse("tunes:list_models")).content.decode()

        assert "My flood tune" in html
        assert "Bob&#x27;s shared tune" in html
        assert "Bob&#x27;s private tune" not in html

    def test_a_running_tune_card_polls_and_a_finished_one_does_not(
        self, signed_in, user
    ):
        running = make_tune(user, status="running", max_epochs=4, epoch=1)
        finished = make_tune(user, status="finished")

        html = signed_in.get(reverse("tunes:list_models")).content.decode()

        assert reverse("tunes:show_tune_card", args=[running.pk]) in html
        assert reverse("tunes:show_tune_card", args=[finished.pk]) not in html
        assert "Epoch 1 of 4" in html

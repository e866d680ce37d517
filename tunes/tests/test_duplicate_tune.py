import pytest
from django.urls import reverse

from .factories import make_dataset, make_tune

pytestmark = pytest.mark.django_db


class TestDuplicateTune:
    def test_it_opens_the_wizard_filled_in_from_the_tune(self, signed_in, user):
        tune = make_tune(user, name="Floods v1", description="first")
        tune.parameters["max_epochs"] = 7
        tune.save()

        response = signed_in.post(reverse("tunes:duplicate_tune", args=[tune.pk]))

        assert response.url == reverse("tunes:edit_draft", args=["setup"])
        page = signed_in.get(response.url).content.decode()
        assert 'value="Copy of Floods v1"' in page
        review = signed_in.get(reverse("tunes:edit_draft", args=["review"]))
        html = review.content.decode()
        assert review.status_code == 200
        assert tune.dataset.name in html
        assert "<td>7</td>" in html

    def test_a_shared_tune_can_be_duplicated_but_not_its_private_dataset(
        self, signed_in, other_user
    ):
        dataset = make_dataset(other_user, name="Bob's chips")
        tune = make_tune(other_user, dataset=dataset, shared=True)

        signed_in.post(reverse("tunes:duplicate_tune", args=[tune.pk]))

        response = signed_in.get(reverse("tunes:edit_draft", args=["parameters"]))
        assert response.url == reverse("tunes:edit_draft", args=["dataset"])

    def test_it_checks_ownership(self, signed_in, other_user):
        tune = make_tune(other_user)
        response = signed_in.post(reverse("tunes:duplicate_tune", args=[tune.pk]))
        assert response.status_code == 404

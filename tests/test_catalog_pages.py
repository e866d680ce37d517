"""The model catalog stays one bounded page however many tunes there are."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tunes.models import Tune
from tunes.tests.factories import make_dataset, make_tune
from tunes.views import TUNES_PER_PAGE

pytestmark = [pytest.mark.django_db, pytest.mark.services]


class TestCatalogPages:
    def test_it_shows_a_page_of_tunes_in_as_many_queries_whatever_the_count(
        self, signed_in, user
    ):
        dataset = make_dataset(user)
        _add_tunes(user, dataset, 3)
        few = _queries(signed_in, reverse("tunes:list_models"))

        _add_tunes(user, dataset, 2 * TUNES_PER_PAGE)
        response = signed_in.get(reverse("tunes:list_models"))
        assert response.content.count(b'class="card model-card" id="tune-card-') == (
            TUNES_PER_PAGE
        )
        assert b"Page 1 of 3" in response.content
        assert _queries(signed_in, reverse("tunes:list_models")) == few

    def test_older_tunes_are_on_the_next_pages(self, signed_in, user):
        dataset = make_dataset(user)
        tunes = _add_tunes(user, dataset, TUNES_PER_PAGE + 1)
        oldest = min(tunes, key=lambda tune: (tune.created, tune.pk))

        first = signed_in.get(reverse("tunes:list_models"))
        assert f'tune-card-{oldest.pk}"'.encode() not in first.content
        assert b'href="?page=2"' in first.content
        second = signed_in.get(reverse("tunes:list_models") + "?page=2")
        assert f'tune-card-{oldest.pk}"'.encode() in second.content
        assert b"Page 2 of 2" in second.content


def _add_tunes(user, dataset, count: int) -> list[Tune]:
    template = make_tune(user, dataset=dataset)
    fields = {
        "owner": user,
        "template_id": template.template_id,
        "backbone_id": template.backbone_id,
        "dataset": dataset,
        "parameters": template.parameters,
        "bands": template.bands,
        "status": Tune.Status.FINISHED,
    }
    made = Tune.objects.bulk_create(
        Tune(name=f"Tune {number}", **fields) for number in range(count - 1)
    )
    return [template, *made]


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)

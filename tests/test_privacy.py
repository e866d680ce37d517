"""Another user's private items answer 404 on every view, partial and API call.

The URLs are read from the URL configuration, so a view added later is checked
without anyone remembering to add it here.
"""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tunes.tests.factories import make_dataset, make_tune

pytestmark = pytest.mark.django_db

# Only these answer without a signed-in user.
PUBLIC = {"login", "logout", "password_reset", "password_reset_done",
          "password_reset_confirm", "password_reset_complete"}  # fmt: skip
# Values for the parts of a URL that are not an item's id.
OTHER_PARTS = {"backbone_id": 1, "step": "setup", "layer": "prediction",
               "z": 0, "x": 0, "y": 0}  # fmt: skip


def _patterns(resolver=None, prefix="", namespace=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue  # staff only; Django's own checks
            space = (
                f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            )
            yield from _patterns(pattern, prefix + str(pattern.pattern), space)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield namespace + pattern.name, prefix + str(pattern.pattern)


def _objects_of(owner):
    dataset = make_dataset(owner, name="Bob's private chips")
    tune = make_tune(owner, dataset=dataset, name="Bob's private tune")
    ids = {"tune_id": tune.pk, "dataset_id": dataset.pk}
    try:
        from lab.tests.factories import make_run
    except ImportError:
        return ids
    ids["run_id"] = make_run(owner, tune).pk
    return ids


def _fill(route: str, ids: dict) -> str | None:
    url = "/" + route
    for name in re.findall(r"<(?:\w+:)?(\w+)>", route):
        if name not in ids:
            return None
        url = re.sub(rf"<(?:\w+:)?{name}>", str(ids[name]), url)
    return url


class TestPrivacy:
    def test_every_page_needs_a_signed_in_user(self, client, user):
        ids = _objects_of(user)
        for name, route in _patterns():
            if name in PUBLIC or name.startswith("django_q"):
                continue
            url = _fill(route, ids | OTHER_PARTS)
            if url is None or "<" in url:
                continue
            response = client.get(url)
            assert response.status_code in (302, 401, 403, 405), (name, url)
            if response.status_code == 302:
                assert "/accounts/login/" in response.url, (name, url)

    def test_another_users_private_items_are_not_found(self, signed_in, other_user):
        ids = _objects_of(other_user)
        checked = []
        for name, route in _patterns():
            if not any(f"<{kind}" in route or f":{kind}>" in route for kind in ids):
                continue
            url = _fill(route, ids | OTHER_PARTS)
            assert url is not None, f"{name}: no test object for {route}"
            for method in ("get", "post"):
                response = getattr(signed_in, method)(url, HTTP_HX_REQUEST="true")
                assert response.status_code in (404, 405), (name, method, url)
            checked.append(name)
        assert "tunes:show_tune" in checked and "datasets:show_dataset" in checked

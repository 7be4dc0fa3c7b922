import pytest
from django.urls import reverse

from tests.isolation import OBJECT_ROUTES, PUBLIC, PUBLIC_NAMESPACES, routes_with_parameters

# DRF's format-suffix twins (`.json`) reuse the same view as their route.
FORMAT_SUFFIXES = ("<drf_format_suffix:format>", "(?P<format>")


def test_every_route_that_takes_an_object_is_covered():
    uncovered = []
    for name, pattern in routes_with_parameters():
        namespace = name.split(":")[0] if ":" in name else None
        if namespace in PUBLIC_NAMESPACES or any(suffix in pattern for suffix in FORMAT_SUFFIXES):
            continue
        if name not in OBJECT_ROUTES and name not in PUBLIC:
            uncovered.append(f"{name}  ({pattern})")
    assert not uncovered, (
        "These routes take an object but tests/isolation.py neither checks them nor lists them as public:\n"
        + "\n".join(uncovered)
    )


@pytest.mark.parametrize("route", OBJECT_ROUTES.values(), ids=lambda r: r.url_name)
def test_outsider_gets_404(route, team):
    url = reverse(route.url_name, kwargs=route.make_kwargs(team))
    client = team.client_for(team.outsider)
    for method in route.methods:
        response = getattr(client, method.lower())(url)
        assert response.status_code == 404, (
            f"{method} {url} gave {response.status_code} to an outsider"
        )


@pytest.mark.parametrize(
    "route", [r for r in OBJECT_ROUTES.values() if r.write], ids=lambda r: r.url_name
)
def test_viewer_cannot_write(route, team):
    url = reverse(route.url_name, kwargs=route.make_kwargs(team))
    response = team.client_for(team.viewer).post(url)
    assert response.status_code == 403


@pytest.mark.parametrize("route", OBJECT_ROUTES.values(), ids=lambda r: r.url_name)
def test_anonymous_is_sent_to_sign_in(route, team, client):
    url = reverse(route.url_name, kwargs=route.make_kwargs(team))
    response = getattr(client, route.methods[0].lower())(url)
    assert response.status_code in (302, 401, 403)
    if response.status_code == 302:
        assert response["Location"].startswith(reverse("login"))

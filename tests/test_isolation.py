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


# --- the API: every method of every router route that takes an object ----------------------
# The resolver walk above already makes each API route register in tests/isolation.py; these
# take the methods from the DRF views themselves, so a method added to a registered route
# (a PUT, a DELETE, a new @action) is checked too, without being listed there.


def _api_object_methods() -> list[tuple[str, str]]:
    """(url name, HTTP method) for each DRF route that takes an object, method by method."""
    from django.urls import URLPattern, URLResolver, get_resolver

    found: set[tuple[str, str]] = set()

    def walk(patterns, takes: bool):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, takes or bool(entry.pattern.regex.groups))
                continue
            if not isinstance(entry, URLPattern):
                continue
            pattern = str(entry.pattern)
            cls = getattr(entry.callback, "cls", None)
            if cls is None or any(suffix in pattern for suffix in FORMAT_SUFFIXES):
                continue  # not a DRF view, or the `.json` twin of a route
            if not (takes or entry.pattern.regex.groups):
                continue
            actions = getattr(entry.callback, "actions", None)  # viewsets: method -> action
            methods = (
                actions.keys()
                if actions
                else [m for m in cls.http_method_names if hasattr(cls, m) and m != "options"]
            )
            for method in methods:
                if method not in ("head", "options"):
                    found.add((entry.name, method.upper()))

    walk(get_resolver().url_patterns, False)
    return sorted(found)


API_OBJECT_METHODS = _api_object_methods()


def _api_request(client, method: str, url: str):
    return getattr(client, method.lower())(url, data={}, content_type="application/json")


def test_the_api_routes_are_found():
    names = {name for name, _ in API_OBJECT_METHODS}
    assert {"creator-detail", "campaigncreator-move", "messagetemplate-detail"} <= names
    assert ("messagetemplate-detail", "DELETE") in API_OBJECT_METHODS


@pytest.mark.parametrize(("name", "method"), API_OBJECT_METHODS, ids=lambda v: v)
def test_api_outsider_gets_404_for_every_method(name, method, team):
    assert name in OBJECT_ROUTES, f"Register the API route {name!r} in tests/isolation.py"
    url = reverse(name, kwargs=OBJECT_ROUTES[name].make_kwargs(team))
    response = _api_request(team.client_for(team.outsider), method, url)
    assert response.status_code == 404, f"{method} {url} gave {response.status_code}"
    assert response.json()["detail"]


@pytest.mark.parametrize(
    ("name", "method"),
    [(n, m) for n, m in API_OBJECT_METHODS if m not in ("GET", "HEAD", "OPTIONS")],
    ids=lambda v: v,
)
def test_api_viewer_gets_403_for_every_write(name, method, team):
    assert name in OBJECT_ROUTES, f"Register the API route {name!r} in tests/isolation.py"
    url = reverse(name, kwargs=OBJECT_ROUTES[name].make_kwargs(team))
    response = _api_request(team.client_for(team.viewer), method, url)
    assert response.status_code == 403, f"{method} {url} gave {response.status_code}"

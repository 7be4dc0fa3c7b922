import json

from django.contrib import messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.http import HttpResponse, HttpResponseRedirect
from django.test import RequestFactory
from django_htmx.middleware import HtmxMiddleware

from apps.accounts.middleware import HtmxMessagesMiddleware


def _run(view, *, htmx: bool):
    headers = {"HX-Request": "true"} if htmx else {}
    request = RequestFactory().post("/", headers=headers)
    request.session = {}
    request._messages = FallbackStorage(request)
    return HtmxMiddleware(HtmxMessagesMiddleware(view))(request)


def _saves_flag(request):
    messages.success(request, "Flag saved.")
    response = HttpResponse("<p>fragment</p>")
    response["HX-Trigger"] = json.dumps({"flags-changed": True})
    return response


def test_messages_of_an_htmx_request_become_toast_triggers():
    response = _run(_saves_flag, htmx=True)
    triggers = json.loads(response["HX-Trigger"])
    assert triggers["toasts"] == [{"text": "Flag saved.", "level": "success"}]
    assert triggers["flags-changed"] is True  # the view's own triggers are kept


def test_plain_requests_and_redirects_keep_their_messages_for_the_next_page():
    assert "toasts" not in json.loads(_run(_saves_flag, htmx=False)["HX-Trigger"])

    def redirects(request):
        messages.info(request, "Moved.")
        return HttpResponseRedirect("/")

    assert "HX-Trigger" not in _run(redirects, htmx=True)

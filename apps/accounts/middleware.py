import json

from .scoping import SESSION_KEY, membership_for


class WorkspaceMiddleware:
    """Sets request.membership and request.workspace: the one place a request gets its workspace."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        membership = None
        if request.user.is_authenticated:
            membership = membership_for(request.user, request.session.get(SESSION_KEY))
        request.membership = membership
        request.workspace = membership.workspace if membership else None
        return self.get_response(request)


class HtmxMessagesMiddleware:
    """Deliver Django messages to htmx requests as toasts (HX-Trigger), since no full page renders them.

    Runs after the view: messages added during an htmx request that swaps a fragment
    would otherwise wait for the next full page load.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            not getattr(request, "htmx", False)
            or 300 <= response.status_code < 400
            or "HX-Redirect" in response
        ):
            return response
        from django.contrib.messages import get_messages

        toasts = [
            {"text": str(message), "level": message.level_tag or "info"}
            for message in get_messages(request)
        ]
        if toasts:
            triggers = json.loads(response.get("HX-Trigger", "{}") or "{}")
            triggers["toasts"] = toasts
            response["HX-Trigger"] = json.dumps(triggers)
        return response

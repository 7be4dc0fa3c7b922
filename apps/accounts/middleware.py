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

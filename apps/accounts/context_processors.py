def workspace(request):
    membership = getattr(request, "membership", None)
    return {
        "current_workspace": getattr(request, "workspace", None),
        "current_membership": membership,
        "can_edit": bool(membership and membership.has_role("member")),
    }

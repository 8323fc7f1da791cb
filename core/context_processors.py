from core import permissions


def roles(request):
    user = getattr(request, "user", None)
    return {
        "is_staff_member": permissions.is_staff_member(user),
        "is_reviewer": permissions.is_reviewer(user),
        "is_scanner": permissions.is_scanner(user),
    }

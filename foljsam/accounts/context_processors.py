from .selectors import can_edit_followup_data


def role(request):
    user = getattr(request, "user", None)
    return {
        "can_edit": can_edit_followup_data(user),
        "is_provider_user": bool(user and user.is_authenticated and user.is_provider_user),
    }

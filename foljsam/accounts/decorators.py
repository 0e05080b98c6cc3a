from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from .models import Role


def role_required(*roles):
    """Login, then one of `roles` (superusers pass); others get 403."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            user = request.user
            if not (user.is_superuser or user.role in roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


officer_required = role_required(Role.OFFICER, Role.ADMIN)
staff_required = role_required(Role.OFFICER, Role.ADMIN, Role.READER)
admin_required = role_required(Role.ADMIN)
provider_required = role_required(Role.PROVIDER)

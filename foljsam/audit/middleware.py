from .context import acting_user


class AuditUserMiddleware:
    """Makes the request's user known to the audit signal handlers."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user if getattr(request, "user", None) and request.user.is_authenticated else None
        with acting_user(user):
            return self.get_response(request)

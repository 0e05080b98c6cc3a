from . import policy


def role(request):
    """`own_organisation`: the user reads only their own organisation (a provider's user)."""
    return {"own_organisation": policy.acts_for_own_organisation(getattr(request, "user", None))}

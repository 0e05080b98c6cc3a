from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from . import policy
from .forms import LockoutAuthenticationForm, UserForm
from .models import User
from .policy import require
from .services import user_save


class LoginView(auth_views.LoginView):
    form_class = LockoutAuthenticationForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


@require("users.manage")
def user_list(request):
    users = User.objects.select_related("provider").prefetch_related("units").order_by("username")
    roles, capabilities = policy.table()
    return render(request, "accounts/user_list.html", {"users": users, "roles": roles, "capabilities": capabilities})


@require("users.manage")
def user_edit(request, pk=None):
    user = User.objects.filter(pk=pk).first() if pk else User()
    if user is None:
        raise Http404
    form = UserForm(request.POST or None, instance=user)
    if request.method == "POST" and form.is_valid():
        try:
            user_save(user=form.save(commit=False), by=request.user, password=form.cleaned_data["password"],
                      units=form.cleaned_data["units"])
        except ValidationError as exc:
            about_password = not hasattr(exc, "error_dict") and (
                "password" in str(exc).lower() or "lösenord" in str(exc))
            form.add_error("password" if about_password else None, exc)
        else:
            messages.success(request, _("Användaren %(u)s är sparad.") % {"u": user.username})
            return redirect("accounts:users")
    return render(request, "registry/form.html",
                  {"form": form, "title": _("Användare"), "cancel_url": "/konto/anvandare/"},
                  status=400 if form.errors else 200)

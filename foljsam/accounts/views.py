from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from foljsam.audit.log import Action, client_ip, log_event

from . import oidc, policy, totp
from .forms import LockoutAuthenticationForm, TotpForm, UserForm
from .models import User
from .policy import require
from .services import WRONG_CODE, totp_reset, totp_verify, user_save


class LoginView(auth_views.LoginView):
    form_class = LockoutAuthenticationForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            oidc_enabled=oidc.enabled(), oidc_failed=self.request.GET.get("oidc") == "fel", **kwargs
        )

    def form_valid(self, form):
        user = form.get_user()
        if totp.needed(user):  # the password was right; the second factor comes before signing in
            totp.pending_set(self.request, user=user, next_url=self.get_success_url())
            return redirect("accounts:totp")
        return super().form_valid(form)


def totp_step(request):
    """The second step of a local sign-in: a code from the authenticator, set up here the first time."""
    user, backend, next_url = totp.pending_get(request)
    if user is None:
        return redirect("accounts:login")
    enrol = totp.confirmed_device(user) is None
    device = totp.enrolment_device(user) if enrol else None
    form = TotpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        verified = totp_verify(user=user, token=form.cleaned_data["token"])
        if verified is not None:
            totp.pending_clear(request)
            user.otp_device = verified  # django-otp records the device in the session at login
            auth_login(request, user, backend=backend)
            if enrol:
                log_event(user=user, action=Action.OTP_ENROL, ip=client_ip(request))
            return redirect(next_url or "home")
        form.add_error("token", ValidationError(WRONG_CODE, code="wrong_code"))
        log_event(user=None, username=user.username, action=Action.LOGIN_FAILED, ip=client_ip(request),
                  detail="Fel engångskod (tvåstegsverifiering).")
    context = {"form": form, "enrol": enrol}
    if enrol:
        context.update(qr=totp.qr_data_uri(device), secret=totp.secret_base32(device))
    return render(request, "accounts/totp.html", context, status=400 if form.errors else 200)


@require("users.manage")
def user_list(request):
    users = User.objects.select_related("provider").prefetch_related("units").order_by("username")
    with_totp = set(TOTPDevice.objects.filter(confirmed=True).values_list("user_id", flat=True))
    rows = [(u, u.pk in with_totp, totp.required_for(u)) for u in users]
    roles, capabilities = policy.table()
    return render(request, "accounts/user_list.html",
                  {"users": users, "rows": rows, "roles": roles, "capabilities": capabilities})


@require("users.manage")
@require_POST
def user_totp_reset(request, pk):
    user = User.objects.filter(pk=pk).first()
    if user is None:
        raise Http404
    totp_reset(user=user, by=request.user)
    log_event(user=request.user, action=Action.OTP_RESET, obj=user, ip=client_ip(request))
    messages.success(request, _("Tvåstegsverifieringen för %(u)s är borttagen; en ny ställs in vid nästa inloggning.")
                     % {"u": user.username})
    return redirect("accounts:users")


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

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from foljsam.audit.log import Action, client_ip, log_event

from .services import LOCKED_OUT, login_attempt_record, login_reserve, login_settle


class LockoutAuthenticationForm(AuthenticationForm):
    """Django's login form behind the lock-out: a password is checked only when the address and the
    account at that address both have a check left (accounts.services.login_reserve)."""

    def clean(self):
        username = (self.cleaned_data.get("username") or "").strip()
        password = self.cleaned_data.get("password")
        if not (username and password):
            return super().clean()
        ip = client_ip(self.request)
        reservation = login_reserve(username=username, ip=ip)
        if reservation is None:
            login_attempt_record(username=username, ip=ip, success=False)
            log_event(user=None, username=username, action=Action.LOGIN_FAILED, ip=ip,
                      detail=gettext("Spärrad: inget lösenordsförsök gjordes."))
            raise forms.ValidationError(
                LOCKED_OUT, code="locked", params={"minutes": settings.LOGIN_LOCKOUT_MINUTES}
            )
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            locked = login_settle(reservation=reservation, success=False)
            login_attempt_record(username=username, ip=ip, success=False)
            log_event(user=None, username=username, action=Action.LOGIN_FAILED, ip=ip,
                      detail=gettext("Fel användarnamn eller lösenord."))
            for key in locked:
                scope = gettext("adressen") if key.startswith("a:") else gettext("kontot från adressen")
                log_event(user=None, username=username, action=Action.LOCK, ip=ip,
                          detail=gettext("För många misslyckade försök: %(scope)s %(ip)s spärras i %(m)s minuter.")
                          % {"scope": scope, "ip": ip or "-", "m": settings.LOGIN_LOCKOUT_MINUTES})
            raise
        login_settle(reservation=reservation, success=True)
        login_attempt_record(username=username, ip=ip, success=True)
        return cleaned


class UserForm(forms.ModelForm):
    password = forms.CharField(
        label=_("Nytt lösenord"), required=False, widget=forms.PasswordInput(render_value=False),
        help_text=_("Minst 10 tecken. Lämna tomt för att behålla lösenordet."),
    )

    class Meta:
        from .models import User

        model = User
        fields = ["username", "first_name", "last_name", "email", "role", "provider", "units", "is_active"]

    def __init__(self, *args, **kwargs):
        from foljsam.registry.models import Unit

        super().__init__(*args, **kwargs)
        # Grouped by provider, named with it, in one query (the demo has hundreds of units).
        self.fields["units"].queryset = Unit.objects.select_related("provider").order_by("provider__name", "name")

class TotpForm(forms.Form):
    token = forms.CharField(
        label=_("Engångskod"), max_length=10, help_text=_("Sex siffror från autentiseringsappen."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )

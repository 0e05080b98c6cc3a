from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from .services import LOCKED_OUT, login_attempt_record, login_is_locked


class LockoutAuthenticationForm(AuthenticationForm):
    """Django's login form, refusing a locked account before checking the password."""

    def clean(self):
        username = (self.cleaned_data.get("username") or "").strip()
        ip = self.request.META.get("REMOTE_ADDR") if self.request else None
        if username and login_is_locked(username=username):
            raise forms.ValidationError(
                LOCKED_OUT, code="locked", params={"minutes": settings.LOGIN_LOCKOUT_MINUTES}
            )
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            if username:
                login_attempt_record(username=username, ip=ip, success=False)
            raise
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

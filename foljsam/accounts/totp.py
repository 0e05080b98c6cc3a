"""A second factor (TOTP, django-otp) for local accounts.

After a right password, a user who has a confirmed authenticator, or whose role the settings
require one for (`TOTP_REQUIRED_ROLES`), is not signed in yet: the session only remembers who is
half-way (for a few minutes) until a code from the authenticator is given. Users signing in
through the identity provider never come here: the municipality's provider decides their factors.
"""

import base64
import time

import qrcode
import qrcode.image.svg
from django.conf import settings
from django_otp.plugins.otp_totp.models import TOTPDevice

PENDING = "foljsam_totp_pending"
PENDING_SECONDS = 300


def required_for(user) -> bool:
    return user.role in settings.TOTP_REQUIRED_ROLES or (user.is_superuser and "admin" in settings.TOTP_REQUIRED_ROLES)


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()


def needed(user) -> bool:
    return confirmed_device(user) is not None or required_for(user)


def pending_set(request, *, user, next_url: str) -> None:
    request.session[PENDING] = {
        "user": user.pk, "backend": getattr(user, "backend", settings.AUTHENTICATION_BACKENDS[0]),
        "next": next_url, "until": time.time() + PENDING_SECONDS,
    }


def pending_get(request):
    from .models import User

    data = request.session.get(PENDING)
    if not data or data.get("until", 0) < time.time():
        request.session.pop(PENDING, None)
        return None, None, None
    user = User.objects.filter(pk=data["user"], is_active=True).first()
    return user, data["backend"], data["next"]


def pending_clear(request) -> None:
    request.session.pop(PENDING, None)


def enrolment_device(user) -> TOTPDevice:
    """The user's unconfirmed authenticator being set up (one at a time)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("id").first()
    return device or TOTPDevice.objects.create(user=user, name="Följsam", confirmed=False)


def secret_base32(device: TOTPDevice) -> str:
    return base64.b32encode(device.bin_key).decode().rstrip("=")


def qr_data_uri(device: TOTPDevice) -> str:
    """The otpauth:// URL as an SVG QR code, inline as a data: image (the CSP allows data: images)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return "data:image/svg+xml;base64," + base64.b64encode(image.to_string()).decode()

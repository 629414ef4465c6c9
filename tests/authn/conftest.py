import time

import pytest
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from authn import twofactor


def totp_code(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The code the user's authenticator app shows now (or `steps_ahead` periods later)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():06d}"


@pytest.fixture
def enrolled():
    """`enrolled(user)`: give `user` a confirmed authenticator; returns (device, recovery codes)."""

    def enrol(user):
        device = twofactor.pending_device(user)
        codes = twofactor.enrol_confirm(user, device, totp_code(device))
        device.refresh_from_db()
        return device, codes

    return enrol


@pytest.fixture
def sign_in(client):
    """`sign_in(username)`: the password step through the real sign-in form."""

    def post(username, password="password", **extra):
        return client.post(reverse("login"), {"username": username, "password": password}, **extra)

    return post

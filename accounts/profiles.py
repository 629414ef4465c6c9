"""Per-user settings: the organisation to land in at sign-in and the time zone pages use.

Both are read from the session on each request (no query); the profile row is the lasting copy,
written when the user switches organisation or saves the profile page, and read at sign-in.
"""

from __future__ import annotations

import zoneinfo

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone

from .models import Organisation, Profile

SESSION_TZ = "tz"
BROWSER_TZ_FIELD = "browser_time_zone"


def profile_for(user) -> Profile:
    profile, _created = Profile.objects.get_or_create(user=user)
    return profile


def remember_organisation(user, organisation: Organisation) -> None:
    """The home page sends the user here at their next sign-in, in any browser."""
    Profile.objects.update_or_create(user=user, defaults={"last_organisation": organisation})


def last_organisation_slug(user) -> str | None:
    return Profile.objects.filter(user=user).values_list("last_organisation__slug", flat=True).first()


def is_time_zone(name: str) -> bool:
    return bool(name) and name in zoneinfo.available_timezones()


def remember_time_zone(request: HttpRequest, name: str) -> None:
    request.session[SESSION_TZ] = name


@receiver(user_logged_in, dispatch_uid="accounts.profiles.on_sign_in")
def on_sign_in(sender, request: HttpRequest | None, user, **kwargs) -> None:
    """At the first sign-in the browser's zone (sent by static/js/timezone.js) becomes the default."""
    if request is None:
        return
    profile = profile_for(user)
    browser_zone = request.POST.get(BROWSER_TZ_FIELD, "") if request.method == "POST" else ""
    if not profile.time_zone and is_time_zone(browser_zone):
        profile.time_zone = browser_zone
        profile.save(update_fields=["time_zone"])
    remember_time_zone(request, profile.time_zone)


class TimeZoneMiddleware:
    """Activate the signed-in user's time zone (from the session; one query if it is not there yet)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        name = request.session.get(SESSION_TZ)
        if name is None and request.user.is_authenticated:
            name = Profile.objects.filter(user=request.user).values_list("time_zone", flat=True).first() or ""
            remember_time_zone(request, name)
        if name and is_time_zone(name):
            timezone.activate(zoneinfo.ZoneInfo(name))
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()

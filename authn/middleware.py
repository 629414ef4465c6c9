"""One middleware for the sign-in policy of every request.

- Ends sessions past the idle or absolute limit (`SESSION_IDLE_TIMEOUT`, `SESSION_ABSOLUTE_TIMEOUT`).
- Holds a signed-in user at the second step until they give their second factor, and sends users
  whom an organisation requires to have one to enrolment first.
- Marks every page served to a signed-in user `Cache-Control: no-store` (ASVS 14.3.2): governance
  data stays out of browser and proxy caches.
- Logs permission denials (every 403) and exports and downloads as security events, and keeps the
  request in a context variable for signal receivers (security_log.current_request).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from . import sessions
from .security_log import current_request, security_event

# Views whose successful answer hands data out of Bastion.
DATA_EXPORTS = {
    "governance:library_export": "export.library",
    "assessments:evidence_download": "download.evidence",
}


def _paths(*names: str) -> frozenset[str]:
    return frozenset(reverse(name) for name in names)


class SignInPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self._open = None
        self.logout_path = reverse("logout")

    def open_paths(self) -> dict[str, frozenset[str]]:
        """Pages a user may reach before finishing the second step or enrolment."""
        if self._open is None:
            self._open = {
                sessions.VERIFY: _paths("authn:verify", "authn:recovery", "logout"),
                sessions.ENROL: _paths("authn:enrol", "authn:overview", "logout"),
            }
        return self._open

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = current_request.set(request)
        try:
            response = self.policy(request) if request.user.is_authenticated else None
            if response is None:
                response = self.get_response(request)
                if request.user.is_authenticated and not response.has_header("Cache-Control"):
                    add_never_cache_headers(response)
            if request.path == self.logout_path and request.method == "POST" and response.status_code < 400:
                # Signing out also clears what the browser kept of the session (ASVS 14.3.1).
                response["Clear-Site-Data"] = '"cache", "cookies", "storage"'
            self.log(request, response)
            return response
        finally:
            current_request.reset(token)

    def policy(self, request: HttpRequest) -> HttpResponse | None:
        reason = sessions.expired(request)
        if reason:
            security_event("session.expired", request=request, reason=reason)
            logout(request)
            messages.info(
                request,
                _("Your session ended after a period without activity; please sign in again.")
                if reason == "idle"
                else _("Your session reached its time limit; please sign in again."),
            )
            return self._to(request, redirect_to_login(request.get_full_path()))
        state = sessions.current_state(request)
        if state in (sessions.VERIFY, sessions.ENROL) and request.path not in self.open_paths()[state]:
            name = "authn:verify" if state == sessions.VERIFY else "authn:enrol"
            target = reverse(name)
            if request.method == "GET":
                target += "?" + urlencode({"next": request.get_full_path()})
            return self._to(request, redirect(target))
        return None

    @staticmethod
    def _to(request: HttpRequest, response: HttpResponse) -> HttpResponse:
        """htmx requests follow the redirect as a whole page, not inside a fragment."""
        if getattr(request, "htmx", False):
            hx = HttpResponse(status=204)
            hx["HX-Redirect"] = response["Location"]
            return hx
        return response

    @staticmethod
    def log(request: HttpRequest, response: HttpResponse) -> None:
        if response.status_code == 403:
            security_event("access.denied", request=request, level=30, method=request.method)
            return
        match = getattr(request, "resolver_match", None)
        if match is not None and response.status_code == 200 and match.view_name in DATA_EXPORTS:
            obj = ",".join(f"{k}={v}" for k, v in match.kwargs.items() if k != "org_slug")
            security_event(DATA_EXPORTS[match.view_name], request=request, obj=obj or match.view_name)

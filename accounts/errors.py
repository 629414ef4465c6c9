"""Error pages in the site's layout: 403 (with the reason and whom to ask), 404, 500 and CSRF.

404 says the same for a missing object and for another organisation's object, so outsiders learn
nothing. 500 renders without context processors or database queries (the database may be what
failed). Wired in `config/urls.py` (handler403/404/500) and `settings.CSRF_FAILURE_VIEW`.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token

from .models import Membership, Role

MAX_CONTACTS = 5
GENERIC_REASON = "Your role does not allow this."


def _back_url(request: HttpRequest) -> str | None:
    """The page the user came from, when it is on this site and not the failing page itself."""
    referer = request.headers.get("referer", "")
    same_site = url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    if referer and same_site and not referer.endswith(request.get_full_path()):
        return referer
    return None


def _home_url(membership: Membership | None) -> str:
    return reverse("org_home", args=[membership.organisation.slug]) if membership else reverse("home")


def _contacts(membership: Membership) -> list[Membership]:
    """The admins and leads the user can ask, admins first (one query, a handful of rows)."""
    return list(
        Membership.objects.filter(organisation_id=membership.organisation_id, role__in=[Role.ADMIN, Role.LEAD])
        .exclude(user_id=membership.user_id)
        .select_related("user")
        .order_by("role", "user__first_name", "user__username")[:MAX_CONTACTS]
    )


@requires_csrf_token
def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    membership = getattr(request, "membership", None)
    reason = str(exception) if exception and str(exception) else _(GENERIC_REASON)
    context = {
        "reason": reason,
        "back_url": _back_url(request),
        "home_url": _home_url(membership),
        "contacts": _contacts(membership) if membership else [],
        "base_template": "base_org.html" if membership else "base.html",
    }
    return render(request, "403.html", context, status=403)


@requires_csrf_token
def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    # The exception's text ("No such organisation", "No such object") is never shown: it would
    # tell an outsider which of the two it was.
    membership = getattr(request, "membership", None)
    context = {
        "back_url": _back_url(request),
        "home_url": _home_url(membership),
        "base_template": "base_org.html" if membership else "base.html",
    }
    return render(request, "404.html", context, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """No request context, no database: only the template and static file names."""
    return HttpResponse(loader.get_template("500.html").render(), status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    context = {"back_url": _back_url(request), "home_url": reverse("home"), "base_template": "base.html"}
    return render(request, "403_csrf.html", context, status=403)

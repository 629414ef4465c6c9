"""Two-factor pages: /account/two-factor/… for the user, and an admin's reset of a member's."""

from __future__ import annotations

import base64

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import AuthenticatedHttpRequest, get_object_for_user
from accounts.models import Membership, Role

from . import sessions, twofactor
from .forms import CodeForm, PasswordConfirmForm, RecoveryCodeForm
from .models import UserSession
from .security_log import security_event


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return "/"


def _qr_data_uri(text: str) -> str:
    """The QR code as an SVG data URI: an <img> the strict CSP allows (img-src data:)."""
    return segno.make(text, error="m").svg_data_uri(scale=5, border=2)


def _show_codes(request: HttpRequest, codes: list[str], title: str) -> HttpResponse:
    response = render(request, "authn/recovery_codes.html", {"codes": codes, "title": title})
    response["Cache-Control"] = "no-store"
    return response


@login_required
def overview(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    device = twofactor.confirmed_device(user)
    requiring = Membership.objects.filter(
        user=user, role__in=sessions.WRITE_ROLES, organisation__require_two_factor=True
    ).select_related("organisation")
    return render(
        request,
        "authn/overview.html",
        {
            "device": device,
            "codes_left": twofactor.codes_left(user) if device else 0,
            "requiring": [m.organisation for m in requiring],
        },
    )


@login_required
def enrol(request: HttpRequest) -> HttpResponse:
    user = request.user
    if twofactor.confirmed_device(user):
        messages.info(request, _("Two-factor sign-in is already on. Turn it off first to move to a new device."))
        return redirect("authn:overview")
    device = twofactor.pending_device(user)
    form = CodeForm(request.POST or None)
    if form.is_valid():
        codes = twofactor.enrol_confirm(user, device, form.cleaned_data["code"])
        if codes is not None:
            sessions.mark_verified(request)
            messages.success(request, _("Two-factor sign-in is on."))
            return _show_codes(request, codes, _("Save your recovery codes"))
        form.add_error("code", _("That code does not match. Check the time on your phone and try the current code."))
    secret = base64.b32encode(device.bin_key).decode()
    response = render(
        request,
        "authn/enrol.html",
        {
            "form": form,
            "qr": _qr_data_uri(device.config_url),
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            "next": _next(request),
        },
    )
    response["Cache-Control"] = "no-store"  # the page shows the secret
    return response


def _second_step(request: HttpRequest, form, check, page: dict) -> HttpResponse:
    if request.session.get(sessions.TWO_FACTOR) != sessions.VERIFY:
        return redirect(_next(request))
    if form.is_valid():
        if check(request.user, form.cleaned_data["code"]):
            sessions.mark_verified(request)
            return redirect(_next(request))
        form.add_error("code", _("That code is not valid. Wait for the next one and try again."))
    return render(request, "authn/second_step.html", {"form": form, "next": _next(request), **page})


@login_required
def verify(request: HttpRequest) -> HttpResponse:
    """The second step of signing in, after the password."""
    page = {
        "title": _("One more step"),
        "intro": _("Open your authenticator app and enter the code it shows for Bastion."),
        "other": ("authn:recovery", _("Use a recovery code instead")),
    }
    return _second_step(request, CodeForm(request.POST or None), twofactor.verify, page)


@login_required
def recovery(request: HttpRequest) -> HttpResponse:
    """The second step with a recovery code, when the authenticator is not at hand."""

    def check(user, code: str) -> bool:
        used = twofactor.use_recovery_code(user, code)
        if used:
            messages.warning(
                request,
                _("You used a recovery code; %(n)s left. Make new ones on your two-factor page when you run low.")
                % {"n": twofactor.codes_left(user)},
            )
        return used

    page = {
        "title": _("Use a recovery code"),
        "intro": _(
            "Lost your phone? Enter one of your recovery codes. If you have none left, ask an admin of "
            "your organisation to reset your two-factor sign-in."
        ),
        "other": ("authn:verify", _("Use the authenticator app")),
    }
    return _second_step(request, RecoveryCodeForm(request.POST or None), check, page)


def _with_password(request: HttpRequest, action, page: dict) -> HttpResponse:
    """Changes to an enrolled second factor ask for the password again (ASVS 7.5.1)."""
    if twofactor.confirmed_device(request.user) is None:
        return redirect("authn:overview")
    form = PasswordConfirmForm(request.POST or None, user=request.user)
    if form.is_valid():
        return action()
    if form.errors:
        security_event("two_factor.password_check_failed", level=30)
    return render(request, "authn/confirm.html", {"form": form, **page})


@login_required
def regenerate_codes(request: HttpRequest) -> HttpResponse:
    def action():
        return _show_codes(request, twofactor.regenerate_codes(request.user), _("Your new recovery codes"))

    page = {
        "title": _("New recovery codes"),
        "intro": _("Your old codes stop working as soon as the new ones are made."),
        "button": _("Make new codes"),
        "danger": False,
    }
    return _with_password(request, action, page)


@login_required
def disable(request: HttpRequest) -> HttpResponse:
    def action():
        twofactor.disable(request.user, keep_session=request.session.session_key)
        request.session[sessions.TWO_FACTOR] = sessions.two_factor_state(request.user)
        messages.success(request, _("Two-factor sign-in is off; your other sessions were signed out."))
        return redirect("authn:overview")

    page = {
        "title": _("Turn off two-factor sign-in"),
        "intro": _(
            "Your authenticator and recovery codes are removed and your other sessions end. If an "
            "organisation of yours requires two-factor sign-in, you will be asked to set it up again."
        ),
        "button": _("Turn off"),
        "danger": True,
    }
    return _with_password(request, action, page)


@login_required
@require_POST
def member_reset(request: AuthenticatedHttpRequest, org_slug: str, pk: int) -> HttpResponse:
    """An organisation admin clears a member's second factor (lost phone and recovery codes)."""
    _membership, target = get_object_for_user(
        request, org_slug, Membership.objects.select_related("user", "organisation"), pk, min_role=Role.ADMIN
    )
    if target.user_id == request.user.pk:
        raise PermissionDenied("Change your own second factor on your two-factor page.")
    if not request.user.is_superuser:
        if target.user.is_superuser:
            raise PermissionDenied("Only a site administrator can reset a site administrator's second factor.")
        # The second factor guards every organisation of the account: an admin of one of them
        # must not weaken it for the others.
        administered = Membership.objects.filter(user=request.user, role=Role.ADMIN).values("organisation")
        if Membership.objects.filter(user=target.user).exclude(organisation__in=administered).exists():
            raise PermissionDenied(
                "This person also belongs to organisations you do not administer; ask a site administrator."
            )
    twofactor.reset(actor=request.user, target_membership=target)
    messages.success(
        request,
        _("Two-factor sign-in of %(user)s was reset and their sessions ended; they set it up again when they sign in.")
        % {"user": target.user.username},
    )
    return redirect("accounts:member_edit", org_slug, pk)


@login_required
def session_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The user's signed-in sessions; with the password, end all but this one (ASVS 7.5.2)."""
    current = request.session.session_key
    form = PasswordConfirmForm(request.POST or None, user=request.user)
    if form.is_valid():
        ended = sessions.end_sessions(request.user, keep=current)
        security_event("sessions.ended_by_user", user=request.user, count=ended)
        messages.success(request, _("Signed out everywhere else (%(n)s sessions).") % {"n": ended})
        return redirect("authn:sessions")
    if form.errors:
        security_event("sessions.password_check_failed", level=30)
    rows = UserSession.objects.filter(user=request.user).select_related("session")
    limits = {
        "idle_minutes": settings.SESSION_IDLE_TIMEOUT // 60,
        "absolute_hours": round(settings.SESSION_ABSOLUTE_TIMEOUT / 3600, 1),
    }
    return render(request, "authn/session_list.html", {"rows": rows, "current": current, "form": form, **limits})

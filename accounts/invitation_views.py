"""Pages of member invitations: the admin's add form, re-send and revoke, and the invitee's accept page."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import invitations
from .access import get_membership, get_object_for_user
from .forms import AcceptWithNewAccountForm, InvitationForm
from .models import Invitation, Membership, Role
from .profiles import BROWSER_TZ_FIELD, is_time_zone, profile_for


def _site_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


@login_required
def member_add(request: HttpRequest, org_slug: str) -> HttpResponse:
    """Invite someone. The answer is the same whether an account exists for what was typed or not."""
    membership = get_membership(request, org_slug, min_role=Role.ADMIN)
    org = membership.organisation
    form = InvitationForm(request.POST or None, org=org)
    if form.is_valid():
        try:
            invitation = invitations.invitation_create(
                actor=request.user, organisation=org, site_url=_site_url(request), **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error("invitee", exc)
        else:
            messages.success(
                request,
                _(
                    "Invitation for %(who)s created and e-mailed. They become a member when they accept it; "
                    "until then its link is on this page to copy."
                )
                % {"who": invitation.invitee},
            )
            return redirect("accounts:member_list", org_slug)
    return render(request, "accounts/member_form.html", {"form": form, "title": _("Invite a member")})


@login_required
@require_POST
def invitation_resend(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    _membership, invitation = get_object_for_user(request, org_slug, Invitation, pk, min_role=Role.ADMIN)
    try:
        invitation = invitations.invitation_resend(
            actor=request.user, invitation=invitation, site_url=_site_url(request)
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("Invitation for %(who)s sent again; the link works until %(date)s.")
            % {"who": invitation.invitee, "date": invitation.expires_at.strftime("%d %b %Y")},
        )
    return redirect("accounts:member_list", org_slug)


@login_required
@require_POST
def invitation_revoke(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    _membership, invitation = get_object_for_user(request, org_slug, Invitation, pk, min_role=Role.ADMIN)
    try:
        invitations.invitation_revoke(actor=request.user, invitation=invitation)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("Invitation for %(who)s revoked; its link no longer works.") % {"who": invitation.invitee}
        )
    return redirect("accounts:member_list", org_slug)


def invitation_accept(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    """Open to anyone holding the link: signed in, accept; otherwise sign in or create an account."""
    invitation = invitations.invitation_from_link(pk, token)
    if invitation is None:
        raise Http404("No such invitation")
    org = invitation.organisation
    context = {"invitation": invitation, "org_name": org.name}
    if not invitation.is_pending:
        return render(request, "accounts/invitation_accept.html", {**context, "closed": True})
    user = request.user
    signed_in = user.is_authenticated
    already = user.is_authenticated and Membership.objects.filter(organisation=org, user=user).exists()
    form = None
    if not signed_in:
        form = AcceptWithNewAccountForm(
            request.POST or None,
            initial={"email": invitation.invitee if invitations.is_email(invitation.invitee) else ""},
        )
    if request.method == "POST" and not already:
        try:
            if signed_in:
                invitations.invitation_accept(invitation=invitation, user=request.user)
            elif form is not None and form.is_valid():
                data = form.cleaned_data
                user, _membership = invitations.invitation_accept_new_account(
                    invitation=invitation,
                    username=data["username"],
                    email=data["email"],
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    password=data["password1"],
                )
                zone = request.POST.get(BROWSER_TZ_FIELD, "")
                if is_time_zone(zone):
                    profile = profile_for(user)
                    profile.time_zone = zone
                    profile.save(update_fields=["time_zone"])
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            else:
                raise ValidationError("")  # the form shows its own errors
        except ValidationError as exc:
            if any(exc.messages):
                messages.error(request, " ".join(m for m in exc.messages if m))
        else:
            messages.success(
                request,
                _("Welcome to %(org)s. You are a member with the role %(role)s.")
                % {"org": org.name, "role": invitation.get_role_display()},
            )
            return redirect("org_home", org.slug)
    return render(request, "accounts/invitation_accept.html", {**context, "form": form, "already": already})

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, Q, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.editing import run_service
from audit.services import history_for
from audit.versions import kept_template
from core.extensions import collect

from . import services
from .access import AuthenticatedHttpRequest, can_manage_members, get_membership, get_object_for_user
from .forms import MembershipForm, OrganisationCreateForm, OrganisationForm, TeamForm
from .invitations import open_invitations
from .models import Membership, Organisation, Role, Team
from .profiles import last_organisation_slug


@login_required
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Send the user to the organisation they used last, or let them choose one."""
    memberships = Membership.objects.filter(user=request.user).select_related("organisation")
    last = last_organisation_slug(request.user) or request.session.get("org_slug")
    chosen = next((m for m in memberships if m.organisation.slug == last), None)
    if chosen is None and len(memberships) == 1:
        chosen = memberships[0]
    if chosen is None:
        return redirect("organisation_list")
    return redirect("org_home", chosen.organisation.slug)


@login_required
def organisation_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    memberships = (
        Membership.objects.filter(user=request.user).select_related("organisation").order_by("organisation__name")
    )
    form = OrganisationCreateForm() if request.user.is_superuser else None
    return render(request, "accounts/organisation_list.html", {"memberships": memberships, "form": form})


@login_required
@require_POST
def organisation_create(request: HttpRequest) -> HttpResponse:
    if not request.user.is_superuser:
        raise PermissionDenied("Only site administrators create organisations.")
    form = OrganisationCreateForm(request.POST)
    outcome = run_service(
        form, lambda: services.organisation_create(actor=request.user, **form.cleaned_data), actor=request.user
    )
    if outcome.saved and outcome.result is not None:
        org = outcome.result
        messages.success(request, _("Organisation “%(name)s” created; you are its admin.") % {"name": org.name})
        return redirect("org_home", org.slug)
    memberships = Membership.objects.filter(user=request.user).select_related("organisation")
    return render(request, "accounts/organisation_list.html", {"memberships": memberships, "form": form})


@login_required
def org_home(request: HttpRequest, org_slug: str) -> HttpResponse:
    """Each role's landing page (contributed by higher apps); the inventory otherwise."""
    membership = get_membership(request, org_slug)
    for url in collect("org_home", membership=membership):
        return redirect(url)
    return redirect("governance:system_list", org_slug)


@login_required
def organisation_edit(request: HttpRequest, org_slug: str) -> HttpResponse:
    membership = get_membership(request, org_slug, min_role=Role.ADMIN)
    org = membership.organisation
    form = OrganisationForm(request.POST or None, instance=Organisation.objects.get(pk=org.pk))
    outcome = run_service(
        form,
        lambda: services.organisation_update(
            actor=request.user,
            organisation=org,
            expected_version=form.cleaned_data["version"],
            data={k: v for k, v in form.cleaned_data.items() if k != "version"},
        ),
        actor=request.user,
    )
    if outcome.saved:
        messages.success(request, _("Organisation settings saved."))
        return redirect("accounts:organisation_edit", org_slug)
    return render(request, "accounts/organisation_form.html", {"form": form, "conflict": outcome.conflict})


# --- Members ----------------------------------------------------------------------------------


@login_required
def member_list(request: HttpRequest, org_slug: str) -> HttpResponse:
    membership = get_membership(request, org_slug)
    org = membership.organisation
    members = (
        Membership.objects.filter(organisation=org)
        .select_related("user")
        .prefetch_related(Prefetch("user__teams", queryset=Team.objects.for_org(org), to_attr="org_teams"))
        .annotate(two_factor=Exists(TOTPDevice.objects.filter(user=OuterRef("user"), confirmed=True)))
        .order_by("user__username")
    )
    can_manage = can_manage_members(membership)
    return render(
        request,
        "accounts/member_list.html",
        {
            "members": members,
            "can_manage": can_manage,
            "roles": Role,
            "invitations": open_invitations(request, org) if can_manage else [],
        },
    )


@login_required
def member_edit(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    membership, target = get_object_for_user(
        request, org_slug, Membership.objects.select_related("user", "organisation"), pk, min_role=Role.ADMIN
    )
    org = membership.organisation
    initial = {"role": target.role, "teams": list(target.user.teams.filter(organisation=org))}
    form = MembershipForm(request.POST or None, initial=initial, org=org)
    if form.is_valid():
        try:
            services.membership_update(
                actor=request.user, membership=target, role=form.cleaned_data["role"], teams=form.cleaned_data["teams"]
            )
        except ValidationError as exc:
            form.add_error("role", exc)
        else:
            messages.success(request, _("%(user)s updated.") % {"user": target.user.username})
            return redirect("accounts:member_list", org_slug)
    return render(request, "accounts/member_form.html", {"form": form, "target": target, "title": target.user.username})


@login_required
@require_POST
def member_remove(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    _membership, target = get_object_for_user(
        request, org_slug, Membership.objects.select_related("user", "organisation"), pk, min_role=Role.ADMIN
    )
    try:
        services.membership_remove(actor=request.user, membership=target)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("%(user)s removed from the organisation.") % {"user": target.user.username})
    return redirect("accounts:member_list", org_slug)


# --- Teams ------------------------------------------------------------------------------------


@login_required
def team_list(request: HttpRequest, org_slug: str) -> HttpResponse:
    membership = get_membership(request, org_slug)
    org = membership.organisation

    def table_context():
        teams = (
            Team.objects.for_org(org)
            .select_related("lead")
            .annotate(
                # One subquery per count: joining members and systems together multiplied the rows
                # (members × systems per team) before DISTINCT counted them back.
                member_count=_team_count(Count("members")),
                system_count=_team_count(Count("owned_systems", filter=Q(owned_systems__retired_at__isnull=True))),
            )
        )
        return {"teams": list(teams)}

    # Teams, their members and systems change only by audited services: the table is kept under
    # the data version, and reads nothing on a hit.
    table = kept_template(request, org, "accounts/_team_table.html", table_context)
    return render(request, "accounts/team_list.html", {"table": table, "can_manage": membership.is_admin})


def _team_count(aggregate):
    per_team = Team.objects.filter(pk=OuterRef("pk")).annotate(n=aggregate).values("n")
    return Subquery(per_team, output_field=IntegerField())


@login_required
def team_detail(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    membership, team = get_object_for_user(request, org_slug, Team.objects.select_related("lead"), pk)
    members = list(team.members.order_by("username"))
    systems = list(team.owned_systems.filter(retired_at__isnull=True).order_by("name"))
    return render(
        request,
        "accounts/team_detail.html",
        {
            "team": team,
            "members": members,
            "systems": systems,
            "can_manage": membership.is_admin,
            "events": history_for(team, limit=50),
            "panels": collect("team_panels", team=team, membership=membership),
        },
    )


@login_required
def team_create(request: HttpRequest, org_slug: str) -> HttpResponse:
    membership = get_membership(request, org_slug, min_role=Role.ADMIN)
    org = membership.organisation
    form = TeamForm(request.POST or None, org=org)
    outcome = run_service(
        form,
        lambda: services.team_create(
            actor=request.user,
            organisation=org,
            data={k: form.cleaned_data[k] for k in ("name", "discipline", "description", "lead")},
            members=form.cleaned_data["members"],
        ),
        actor=request.user,
    )
    if outcome.saved and outcome.result is not None:
        team = outcome.result
        messages.success(request, _("Team “%(name)s” created.") % {"name": team.name})
        return redirect("accounts:team_detail", org_slug, team.pk)
    return render(request, "accounts/team_form.html", {"form": form})


@login_required
def team_edit(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    membership, team = get_object_for_user(request, org_slug, Team, pk, min_role=Role.ADMIN)
    form = TeamForm(request.POST or None, instance=team, org=membership.organisation)
    outcome = run_service(
        form,
        lambda: services.team_update(
            actor=request.user,
            team=team,
            expected_version=form.cleaned_data["version"],
            data={k: form.cleaned_data[k] for k in ("name", "discipline", "description", "lead")},
            members=form.cleaned_data["members"],
        ),
        actor=request.user,
    )
    if outcome.saved:
        messages.success(request, _("Team saved."))
        return redirect("accounts:team_detail", org_slug, team.pk)
    return render(request, "accounts/team_form.html", {"form": form, "team": team, "conflict": outcome.conflict})

"""API tokens in the UI: a person's own at /account/api-tokens/, an organisation's service tokens
at /o/<slug>/settings/api-tokens/ (admins): list, create (shown once), revoke."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import AuthenticatedHttpRequest, get_membership, get_object_for_user
from accounts.models import Role

from .forms import ServiceTokenCreateForm, TokenCreateForm
from .models import ApiToken
from .tokens import service_token_create, token_create, token_revoke


@login_required
def token_list(request: HttpRequest) -> HttpResponse:
    form = TokenCreateForm(request.POST or None, user=request.user)
    created = None
    if form.is_valid():
        created = _created_or_errors(
            form,
            lambda: token_create(
                user=request.user,
                name=form.cleaned_data["name"],
                expires_at=form.expires_at(),
                organisation=form.cleaned_data["organisation"],
                role=form.cleaned_data["role"],
                hidden_text=form.hidden_text_decisions,
            ),
        )
        if created:
            form = TokenCreateForm(user=request.user)  # a fresh form under the one-time display
    tokens = ApiToken.objects.filter(user=cast(User, request.user)).select_related("organisation")
    context = {"form": form, "tokens": tokens, "created": created}
    return render(request, "api/token_list.html", context)


@login_required
@require_POST
def token_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    token = ApiToken.objects.filter(user=cast(User, request.user), pk=pk).first()
    if token is None:
        raise Http404("No such token")  # someone else's token: as if it did not exist
    token_revoke(user=request.user, token=token)
    messages.success(request, _("Token “%(name)s” revoked: it no longer works.") % {"name": token.name})
    return redirect("api_tokens")


def _created_or_errors(form, create):
    """Run `create()` for a valid form: (token, raw secret), or None with the refusal on the form."""
    try:
        with transaction.atomic():
            return create()
    except ValidationError as exc:
        form.add_error(None, exc)  # a dict of fields lands on those fields
        return None


@login_required
def service_token_list(request: AuthenticatedHttpRequest, org_slug: str) -> HttpResponse:
    membership = get_membership(request, org_slug, min_role=Role.ADMIN)
    org = membership.organisation
    form = ServiceTokenCreateForm(request.POST or None, user=request.user, organisation=org)
    created = None
    if form.is_valid():
        created = _created_or_errors(
            form,
            lambda: service_token_create(
                membership=membership,
                team=form.cleaned_data["team"],
                name=form.cleaned_data["name"],
                role=form.cleaned_data["role"],
                expires_at=form.expires_at(),
                hidden_text=form.hidden_text_decisions,
            ),
        )
        if created:
            form = ServiceTokenCreateForm(user=request.user, organisation=org)
    tokens = ApiToken.objects.filter(organisation=org, team__isnull=False).select_related("team", "created_by")
    context = {"form": form, "tokens": tokens, "created": created}
    return render(request, "api/service_token_list.html", context)


@login_required
@require_POST
def service_token_revoke(request: AuthenticatedHttpRequest, org_slug: str, pk: int) -> HttpResponse:
    _membership, token = get_object_for_user(
        request, org_slug, ApiToken.objects.filter(team__isnull=False), pk, min_role=Role.ADMIN
    )
    token_revoke(user=request.user, token=token)
    messages.success(request, _("Service token “%(name)s” revoked: it no longer works.") % {"name": token.name})
    return redirect("api_settings:service_tokens", org_slug)

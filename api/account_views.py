"""The user's own API tokens, at /account/api-tokens/: list, create (shown once), revoke."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .forms import TokenCreateForm
from .models import ApiToken
from .tokens import token_create, token_revoke


@login_required
def token_list(request: HttpRequest) -> HttpResponse:
    form = TokenCreateForm(request.POST or None, user=request.user)
    created = None
    if form.is_valid():
        try:
            created = token_create(
                user=request.user,
                name=form.cleaned_data["name"],
                expires_at=form.expires_at(),
                hidden_text=form.hidden_text_decisions,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            form = TokenCreateForm(user=request.user)  # a fresh form under the one-time display
    tokens = ApiToken.objects.filter(user=cast(User, request.user))
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

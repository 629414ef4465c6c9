"""What every organisation endpoint shares: the organisation from the URL, resolved through the
caller's membership by `accounts.access` (outsider → 404, lower role → 403), the audit channel,
and the bridge from a JSON body to the UI's own form."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from rest_framework import exceptions, generics
from rest_framework.request import Request

from accounts.access import ensure, enter_scope, get_membership, scoped
from accounts.models import Membership, Role
from audit import channels
from audit.hidden_text import save_with_choices
from core.forms_hidden import CHOICE_SUFFIX

from ..errors import validation_fields
from ..models import ApiToken
from ..tokens import scope_of


def _has_bearer(request) -> bool:
    return request.META.get("HTTP_AUTHORIZATION", "").lower().startswith("bearer ")


class OrgAPIView(generics.GenericAPIView):
    """Base of every `/api/v1/o/<org_slug>/…` endpoint."""

    def dispatch(self, request, *args, **kwargs):
        # Changes made with a token are recorded as made through the API; with the docs' session,
        # through the web session, like the pages.
        # The token's scope and name apply once it is authenticated (`initial`); both blocks
        # restore the previous values when the request ends.
        with channels.via(channels.API if _has_bearer(request) else channels.WEB), scoped(None):
            return super().dispatch(request, *args, **kwargs)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # authentication first: anonymous → 401
        token = request.auth if isinstance(request.auth, ApiToken) else None
        if token is not None:
            enter_scope(scope_of(token))  # its organisation and role, its team for service tokens
            channels.name_token(token.label)  # every audit event names the token
        # Outsiders → 404 before anything else. The membership is kept on the request, so the
        # access helpers the handlers call reuse it and never touch the session.
        self.membership()

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        add_never_cache_headers(response)  # governance data stays out of caches
        return response

    def membership(self, *, min_role: str = Role.VIEWER, roles=None) -> Membership:
        return get_membership(self.request, self.kwargs["org_slug"], min_role=min_role, roles=roles, remember=False)

    @property
    def org(self):
        return self.membership().organisation

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "org_slug": self.kwargs.get("org_slug")}


def checked(serializer_class, request: Request, *, partial: bool = False) -> dict:
    """The body, type-checked by `serializer_class` (400 with the fields otherwise)."""
    serializer = serializer_class(data=request.data, partial=partial)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def bound_form(form_class, data: dict, *, files=None, hidden: str | None = None, **kwargs) -> forms.BaseForm:
    """The UI's form, bound to the API's data, validated; ValidationError (400) when it refuses.

    `hidden` is the request's choice for texts with hidden characters (`strip` or `keep`), applied
    to every text field, as a person would pick it next to each one on the page.
    """
    data = {k: v for k, v in data.items() if k != "hidden_characters"}
    form = form_class(data=data, files=files, **kwargs)
    if hidden:
        form.data = {**data, **{f"{name}{CHOICE_SUFFIX}": hidden for name in form.hidden_text_field_names()}}
    if not form.is_valid():
        errors = {name: [m["message"] for m in msgs] for name, msgs in form.errors.get_json_data().items()}
        message, fields = validation_fields(errors)
        if getattr(form, "hidden_text_findings", None):
            message = _(
                "A text holds hidden or look-alike characters (listed per field). Send it again with "
                "`hidden_characters` set to `strip` (remove them) or `keep`."
            )
        raise exceptions.ValidationError(_errors(message, fields))
    return form


class _errors(dict):
    """A ValidationError detail that keeps the general message apart from the fields."""

    def __init__(self, message: str, fields: dict):
        super().__init__({**fields, "non_field_errors": [message]})


def take_step(request: Request, membership, row, workflow, body, form_class, act) -> None:
    """One lifecycle step through the API, taken as the page takes it: the body type-checked by
    `body`, validated by the page's `form_class`, who may take the step asked on the row as read
    (403 with the page's reason), then `act(name, cleaned_data)`, the page's service, which asks
    every rule again on the locked row (a lost race answers 403, 400 or 409 like any refusal)."""
    data = checked(body, request)
    form = bound_form(form_class, {"text": "", **data}, hidden=data.get("hidden_characters"))
    transition = workflow[form.cleaned_data["action"]]
    ensure(workflow.allows(membership, row, transition.name), str(transition.refusal))
    save_with_choices(form, lambda: act(transition.name, form.cleaned_data), actor=request.user, obj=row)


@contextmanager
def problems_under(field: str) -> Iterator[None]:
    """An import service's ValidationError (every problem of an uploaded file) answered as 400
    with the problems under `field`, where the file was sent."""
    try:
        yield
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from exc

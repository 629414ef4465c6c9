"""The signed-in user's own pages: profile (name, e-mail, time zone) and password change."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .forms import ProfileForm
from .models import Membership
from .profiles import profile_for, remember_time_zone
from .services import person_update


def layout_membership(request: HttpRequest) -> Membership | None:
    """The organisation the user was last in, so personal pages keep its top bar and navigation."""
    slug = request.session.get("org_slug")
    user = request.user
    membership = None
    if slug and user.is_authenticated:
        membership = (
            Membership.objects.select_related("organisation", "user")
            .filter(user_id=user.pk, organisation__slug=slug)
            .first()
        )
    if membership is not None:
        request.membership = membership  # type: ignore[attr-defined]  # read by accounts.access and the layout
    return membership


def base_template(request: HttpRequest) -> str:
    return "base_org.html" if layout_membership(request) else "base.html"


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    settings_row = profile_for(user)
    form = ProfileForm(request.POST or None, instance=user, time_zone=settings_row.time_zone)
    if form.is_valid():
        person_update(actor=user, user=user, data={name: form.cleaned_data[name] for name in form.Meta.fields})
        settings_row.time_zone = form.cleaned_data["time_zone"]
        settings_row.save(update_fields=["time_zone"])
        remember_time_zone(request, settings_row.time_zone)
        messages.success(
            request, _("Profile saved. Times are now shown in %(zone)s.") % {"zone": settings_row.time_zone}
        )
        return redirect("profile")
    from core.extensions import PROFILE_PANELS, collect

    context = {"form": form, "base_template": base_template(request), "panels": collect(PROFILE_PANELS, user=user)}
    return render(request, "accounts/profile.html", context)


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change (old password, validators, session kept) in the site's layout."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("profile")
    title = gettext_lazy("Change your password")

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "base_template": base_template(self.request)}

    def form_valid(self, form):
        messages.success(self.request, _("Password changed. You stay signed in here; other browsers are signed out."))
        return super().form_valid(form)

from django.http import HttpRequest

from .access import can_read_audit_trail
from .models import Membership


def organisation(request: HttpRequest) -> dict:
    """The current organisation and the user's other organisations, for the top bar.

    Full pages get the list now, so no query runs while the template renders (views and
    processors fetch, templates render: tests/test_query_scaling.py). htmx fragments never show
    the switcher and get a callable that is not called.
    """
    membership = getattr(request, "membership", None)
    if membership is None:
        return {}

    def other_memberships():
        return list(
            Membership.objects.filter(user_id=membership.user_id)
            .exclude(pk=membership.pk)
            .select_related("organisation")
            .order_by("organisation__name")
        )

    return {
        "membership": membership,
        "org": membership.organisation,
        "other_memberships": other_memberships if getattr(request, "htmx", False) else other_memberships(),
        "can_read_audit": can_read_audit_trail(membership),
    }

from django.http import HttpRequest

from .access import can_read_audit_trail
from .models import Membership


def organisation(request: HttpRequest) -> dict:
    """The current organisation and the user's other organisations, for the top bar.

    Lazy: the switcher query runs only when a page renders the switcher.
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
        "other_memberships": other_memberships,
        "can_read_audit": can_read_audit_trail(membership),
    }

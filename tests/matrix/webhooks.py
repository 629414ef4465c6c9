"""Matrix rows for the webhook settings: organisation admins only."""

from accounts.models import Role

from . import Row, at_least

ADMINS = at_least(Role.ADMIN)


def extend_world(world):
    from webhooks.models import Endpoint

    world["webhook"] = Endpoint.objects.create(
        organisation=world["org"], url="https://hooks.example.com/matrix", event_types=["assignment.overdue"]
    )


def endpoint(w):
    return {"pk": w["webhook"].pk}


def version(w):
    return {"version": w["webhook"].version}


ROWS = {
    "webhooks:endpoint_list": Row(allowed=ADMINS),
    "webhooks:endpoint_create": Row(allowed=ADMINS),
    "webhooks:endpoint_detail": Row(endpoint, allowed=ADMINS),
    "webhooks:endpoint_edit": Row(endpoint, allowed=ADMINS),
    "webhooks:endpoint_rotate": Row(endpoint, allowed=ADMINS, method="post", data=version),
    "webhooks:endpoint_test": Row(endpoint, allowed=ADMINS, method="post", ok=(302,)),
    "webhooks:endpoint_retire": Row(endpoint, allowed=ADMINS),
    "webhooks:endpoint_retire#post": Row(
        endpoint, allowed=ADMINS, method="post", ok=(302,), data=lambda w: {"reason": "Gone", **version(w)}
    ),
}

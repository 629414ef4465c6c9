from webhooks.models import Endpoint


def make_endpoint(org, url="https://hooks.example.com/bastion", event_types=None, **fields) -> Endpoint:
    """An endpoint written straight to the table (no DNS look-up)."""
    types = event_types if event_types is not None else ["assignment.status_changed", "assignment.overdue"]
    return Endpoint.objects.create(organisation=org, url=url, event_types=types, **fields)

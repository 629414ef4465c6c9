"""Matrix rows for the prompt hygiene scanner: every member scans; those who work on an
assignment attach (the world's assignment is owned by the team every role belongs to)."""

from accounts.models import Role
from hygiene.forms import encode_payload

from . import Row, at_least


def scan_data(w):
    return {"text": "zero\u200bwidth", "format": "auto"}


def attach_data(w):
    return {
        "assignment": w["as_assignment"].pk,
        "payload": encode_payload("zero\u200bwidth"),
        "source": "pasted text",
        "fmt": "text",
    }


ROWS = {
    "hygiene:scan": Row(),
    "hygiene:scan#post": Row(method="post", data=scan_data),
    "hygiene:attach": Row(allowed=at_least(Role.MEMBER), team_scoped=True, method="post", ok=(302,), data=attach_data),
}

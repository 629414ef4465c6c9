"""Matrix rows for organisation-scoped two-factor actions (the user's own pages under
/account/ are outside organisations: tests/authn/test_two_factor.py and test_sessions.py)."""

from accounts.models import Role

from . import Row, at_least
from .core import target_membership

ROWS = {
    "authn_org:member_reset": Row(target_membership, allowed=at_least(Role.ADMIN), method="post", ok=(302,)),
}

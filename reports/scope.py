"""What every section of an audit pack reads (`PackScope`) and how it writes people and ratings."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from audit.services import ChainReport
from governance.models import AISystem

from .models import AuditPack


@dataclass
class PackScope:
    """What every section reads: the pack, its systems and the chain as checked."""

    pack: AuditPack
    systems: list[AISystem]
    chain: ChainReport
    generated_at: dt.datetime

    @property
    def organisation(self):
        return self.pack.organisation

    @property
    def system_ids(self) -> list[int]:
        return [s.pk for s in self.systems]


def person(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.username


def signed(user, when: dt.datetime | None) -> str:
    """ "name, date" of a sign-off; empty when nobody signed."""
    if user is None:
        return ""
    return f"{person(user)}, {timezone.localdate(when).isoformat()}" if when else person(user)


def rating(likelihood: int, impact: int) -> str:
    return f"{likelihood} × {impact} = {likelihood * impact}"

"""The intent triage's second answer: who typically owns a risk of a given domain.

The domain itself is `core.choices.Domain.from_intent`. Ownership follows the organisation's
team disciplines (DESIGN.md): security teams own hostile-intent risks, safety teams own
benign-use harms, and a risk of both domains has a primary owner and a co-signing owner. A team
whose discipline is "security and safety" can stand in for either when the specialist is missing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from accounts.models import Discipline, Organisation, Team
from core.choices import Domain

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass
class Owner:
    role: StrOrPromise
    teams: list[Team]
    discipline: str


def typical_owners(org: Organisation, domain: Domain) -> list[Owner]:
    """The owner roles for `domain`, each with the organisation's teams that fit it (one query)."""
    teams = list(Team.objects.for_org(org).order_by("name"))

    def fitting(discipline: str) -> list[Team]:
        specialists = [t for t in teams if t.discipline == discipline]
        return specialists or [t for t in teams if t.discipline == Discipline.BOTH]

    if domain == Domain.SECURITY:
        return [Owner(_("Owner"), fitting(Discipline.SECURITY), Discipline.SECURITY)]
    if domain == Domain.SAFETY:
        return [Owner(_("Owner"), fitting(Discipline.SAFETY), Discipline.SAFETY)]
    return [
        Owner(_("Primary owner"), fitting(Discipline.SECURITY), Discipline.SECURITY),
        Owner(_("Co-signing owner"), fitting(Discipline.SAFETY), Discipline.SAFETY),
    ]

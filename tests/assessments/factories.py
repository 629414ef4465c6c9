"""Factories for assessments: every object inside one organisation, consistent with its system."""

import datetime as dt

import factory
from django.core.files.base import ContentFile
from django.utils import timezone

from assessments.models import (
    Assessment,
    AssessmentStatus,
    AssignmentStatus,
    ControlAssignment,
    Evidence,
    EvidenceKind,
    OwnershipRule,
)
from tests.factories import AISystemFactory, ControlFactory, TeamFactory, UserFactory


class AssessmentFactory(factory.django.DjangoModelFactory):
    """An assessment whose plan is confirmed (controls being worked) unless `status` says otherwise."""

    class Meta:
        model = Assessment

    ai_system = factory.SubFactory(AISystemFactory)
    organisation = factory.SelfAttribute("ai_system.organisation")
    status = AssessmentStatus.IN_PROGRESS
    started_by = factory.SubFactory(UserFactory)
    due_date = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=60))


def _open_assessment(assignment):
    system = assignment.ai_system
    return system.assessments.exclude(status=AssessmentStatus.APPROVED).first() or AssessmentFactory(ai_system=system)


class ControlAssignmentFactory(factory.django.DjangoModelFactory):
    """An assignment of a (built-in, factory-made) control, owned by a team of the system's organisation."""

    class Meta:
        model = ControlAssignment

    ai_system = factory.SubFactory(AISystemFactory)
    organisation = factory.SelfAttribute("ai_system.organisation")
    control = factory.SubFactory(ControlFactory)
    assessment = factory.LazyAttribute(_open_assessment)
    owner_team = factory.LazyAttribute(lambda a: a.ai_system.owner_team)
    status = AssignmentStatus.NOT_STARTED


class EvidenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Evidence

    assignment = factory.SubFactory(ControlAssignmentFactory)
    organisation = factory.SelfAttribute("assignment.organisation")
    kind = EvidenceKind.NOTE
    note = "Configuration reviewed and a test run recorded."
    uploaded_by = factory.SubFactory(UserFactory)

    class Params:
        with_file = factory.Trait(
            kind=EvidenceKind.FILE,
            note="",
            file=factory.LazyFunction(lambda: ContentFile(b"id,result\n1,pass\n", name="report.csv")),
            original_filename="report.csv",
            content_type="text/csv",
            size=17,
            sha256="0" * 64,
        )


class OwnershipRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OwnershipRule

    team = factory.SubFactory(TeamFactory)
    organisation = factory.SelfAttribute("team.organisation")
    domain = "security"
    practice = ""

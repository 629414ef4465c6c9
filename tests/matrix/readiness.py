"""Matrix rows for readiness: every role reads the dashboard, the lists its numbers open and
framework coverage; leads and admins take a snapshot on demand."""

import datetime as dt

from django.utils import timezone

from accounts.models import Role
from readiness.models import ReadinessSnapshot
from readiness.snapshots import take
from tests.assessments.factories import ControlAssignmentFactory
from tests.factories import ControlFactory, FrameworkItemFactory
from tests.risks.factories import RiskScenarioFactory
from tests.threats.factories import RedTeamFindingFactory, ThreatModelFactory

from . import Row, at_least


def extend_world(world):
    system = world["system"]
    item = FrameworkItemFactory()
    world["framework"] = item.framework
    ControlAssignmentFactory(ai_system=system, control=ControlFactory(mappings=[item]), owner_team=world["team"])
    RedTeamFindingFactory(exercise__ai_system=system, exercise__author=world["users"][Role.ADMIN])
    take(world["org"], timezone.localdate() - dt.timedelta(days=1))


def grow(world, times):
    """More systems' findings, risks, threat models, framework items and days of snapshots."""
    org, admin = world["org"], world["users"][Role.ADMIN]
    for i in range(times):
        system = org.ai_systems.get(name=f"Scale {i}")
        RedTeamFindingFactory(exercise__ai_system=system, exercise__author=admin)
        RiskScenarioFactory(ai_system=system, author=admin, residual_likelihood=5, residual_impact=5)
        ThreatModelFactory(ai_system=system, author=admin, status="approved", approved_at=timezone.now())
        FrameworkItemFactory(framework=world["framework"])
        take(org, timezone.localdate() - dt.timedelta(days=2 + i))
    assert ReadinessSnapshot.objects.filter(organisation=org).exists()


def system(w):
    return {"pk": w["system"].pk}


ROWS = {
    "readiness:dashboard": Row(),
    "readiness:snapshot_now": Row(allowed=at_least(Role.LEAD), method="post", ok=(302,)),
    "readiness:work": Row(),
    "readiness:findings": Row(),
    "readiness:coverage": Row(),
    "readiness:system_coverage": Row(system),
    "readiness:system_framework": Row(lambda w: {"pk": w["system"].pk, "framework": w["framework"].pk}),
}

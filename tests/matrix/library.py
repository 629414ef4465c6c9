"""Matrix rows for the library: every member reads it; leads and admins change the organisation's
own part; admins, leads and auditors export it."""

from accounts.access import AUDIT_READERS
from accounts.models import Role
from tests.factories import ControlFactory, FrameworkFactory, FrameworkItemFactory, ThreatFactory

from . import Row, at_least

EDITORS = at_least(Role.LEAD)


def extend_world(world):
    org = world["org"]
    item = FrameworkItemFactory(framework=FrameworkFactory(key="matrix-framework"), ref="M-1")
    own_framework = FrameworkFactory(organisation=org, key="matrix-own-policy")
    FrameworkItemFactory(framework=own_framework, ref="P-1")
    world["library_item"] = item
    world["own_framework"] = own_framework
    world["builtin_control"] = ControlFactory(ref="MX-01", mappings=[item])
    world["own_control"] = ControlFactory(organisation=org, ref="OWN-01", mappings=[item])
    world["threat"] = ThreatFactory(ref="TX-01")


def builtin_control(w):
    return {"pk": w["builtin_control"].pk}


def own_control(w):
    return {"pk": w["own_control"].pk}


def own_framework(w):
    return {"pk": w["own_framework"].pk}


def threat(w):
    return {"pk": w["threat"].pk}


def new_control(w):
    return {
        "ref": "NEW-01",
        "title": "Review prompts before release",
        "objective": "Prompts are reviewed by a second person before they reach production.",
        "domain": "security",
        "practice": "prompt_hardening",
        "applies_when": "always",
        "review_cadence_days": "180",
        "mappings": "matrix-framework:M-1",
    }


ROWS = {
    "governance:control_list": Row(),
    "governance:control_detail": Row(builtin_control),
    "governance:control_create": Row(allowed=EDITORS),
    "governance:control_create#post": Row(allowed=EDITORS, method="post", ok=(302,), data=new_control),
    "governance:control_edit": Row(own_control, allowed=EDITORS),
    "governance:control_retire": Row(own_control, allowed=EDITORS),
    "governance:threat_list": Row(),
    "governance:threat_detail": Row(threat),
    "governance:framework_list": Row(),
    "governance:framework_create": Row(allowed=EDITORS),
    "governance:framework_edit": Row(own_framework, allowed=EDITORS),
    "governance:crosswalk": Row(),
    "governance:triage": Row(),
    "governance:library_import": Row(allowed=EDITORS),
    "governance:library_export": Row(allowed=AUDIT_READERS),
}

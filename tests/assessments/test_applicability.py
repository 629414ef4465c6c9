"""The built-in library through the assessment: each demo system's questionnaire leads to the
controls its profile implies."""

import pytest

from accounts.models import Discipline
from assessments.models import AssessmentStatus
from assessments.services.assessments import plan_for
from governance.demo import SYSTEMS, system_data
from governance.models import AISystem, Control
from tests.assessments.conftest import answer_everything
from tests.assessments.factories import AssessmentFactory
from tests.factories import TeamFactory


@pytest.fixture
def plans(builtin_library, org, lead):
    """The control plan of each of the six demo systems, after a full questionnaire."""
    teams = {
        "Security Engineering": TeamFactory(organisation=org, name="Security Engineering"),
        "Responsible AI": TeamFactory(organisation=org, name="Responsible AI", discipline=Discipline.SAFETY),
        "ML Platform": TeamFactory(organisation=org, name="ML Platform", discipline=Discipline.BOTH),
    }
    plans = {}
    for spec in SYSTEMS:
        system = AISystem.objects.create(organisation=org, **system_data(spec, teams))
        assessment = AssessmentFactory(ai_system=system, status=AssessmentStatus.DRAFT)
        answer_everything(assessment, lead, decision_areas=["employment"] if system.decides_about_people else [])
        plans[spec["name"]] = plan_for(assessment)
    return plans


def refs(plan, concern=None):
    return {i.control.ref for i in plan.new if concern is None or concern in i.control.concerns}


def library(concern):
    """Every built-in control that treats `concern` (JSON lists: filtered here, for SQLite too)."""
    return {c.ref for c in Control.objects.builtin().active() if concern in c.concerns}


def test_each_demo_system_gets_the_controls_its_profile_implies(plans):
    # The Hiring Screener decides about people: every automated-decision fairness control.
    assert refs(plans["Hiring Screener"], "automated_decision_ethics") == library("automated_decision_ethics")
    assert {"AR-02", "HO-01", "DG-04"} <= refs(plans["Hiring Screener"])
    # The Frontier Research Model has dual-use capability: the whole CBRNE set.
    assert refs(plans["Frontier Research Model"], "cbrne") == library("cbrne")
    assert {f"FS-{n:02d}" for n in range(1, 14)} <= refs(plans["Frontier Research Model"])
    # The Code Agent uses tools and runs code: the tool-misuse controls, no CBRNE.
    assert {"AC-01", "AC-02", "GR-04", "GR-05", "PH-06", "RT-03", "TM-02"} <= refs(
        plans["Code Agent"], "agent_tool_misuse"
    )
    assert not refs(plans["Code Agent"], "cbrne")
    # The Fraud Classifier retrains on user data: data poisoning, but neither CBRNE nor agent tools.
    fraud = plans["Fraud Classifier"]
    assert {"DG-01", "DG-02", "DG-03", "RT-08", "TM-06"} <= refs(fraud, "data_poisoning")
    assert not refs(fraud, "cbrne") and not refs(fraud, "agent_tool_misuse")
    # The Pricing RL Agent learns from a reward: every reward-hacking control.
    assert refs(plans["Pricing RL Agent"], "reward_hacking") == library("reward_hacking")
    # The Support Chatbot: prompt injection and self-harm safeguards, nothing frontier or RL.
    assert {"PH-01", "GR-01"} <= refs(plans["Support Chatbot"])
    assert not refs(plans["Support Chatbot"], "cbrne") and not refs(plans["Support Chatbot"], "reward_hacking")
    # The sizes scripts/check_library_data.py asserts over the library files.
    assert {name: len(plan.new) for name, plan in plans.items()} == {
        "Support Chatbot": 89,
        "Code Agent": 95,
        "Hiring Screener": 101,
        "Fraud Classifier": 59,
        "Pricing RL Agent": 80,
        "Frontier Research Model": 133,
    }


def test_every_new_control_says_why_it_applies(plans):
    for plan in plans.values():
        assert all(item.reasons for item in plan.new)
    cbrne = next(i for i in plans["Frontier Research Model"].new if i.control.ref == "FS-01")
    assert any("Dual-use" in reason for reason in cbrne.reasons)

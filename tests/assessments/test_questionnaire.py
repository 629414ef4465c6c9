"""The questionnaire's definition: it confirms the whole profile, counts progress, finds gaps."""

from assessments import questionnaire as q
from governance.models import CAPABILITY_FLAGS, PROFILE_FIELDS


def test_every_profile_field_and_flag_is_asked_in_exactly_one_question():
    asked = [qn.key for qn in q.QUESTIONS.values() if qn.profile]
    assert sorted(asked) == sorted([*PROFILE_FIELDS, *CAPABILITY_FLAGS])
    assert len(asked) == len(set(asked))


def test_there_are_five_sections_each_question_with_text_and_why_we_ask():
    assert [s.key for s in q.SECTIONS] == ["purpose", "capabilities", "model_data", "exposure", "harm"]
    for question in q.QUESTIONS.values():
        assert str(question.text).endswith("?") or str(question.text).endswith(".")
        assert len(str(question.why)) > 20, question.key


def test_progress_counts_required_answers_per_section():
    values = {"intended_use": "Answers questions.", "lifecycle_stage": "production", "decision_areas": ["credit"]}
    progress = q.progress(values)
    assert progress.answered == 2  # decision_areas is asked only when it decides about people
    unconditional = [qn for qn in q.QUESTIONS.values() if qn.required and qn.required_when is None]
    assert progress.required == len(unconditional)
    purpose = progress.sections[0]
    assert purpose.section.key == "purpose" and purpose.answered == 2
    assert purpose.state == q.SectionState.INCOMPLETE
    assert not progress.complete
    assert progress.resume_at.key == "purpose"


def test_the_questionnaire_resumes_at_the_first_section_with_gaps():
    purpose = {q_.key: "x" for q_ in q.SECTIONS[0].questions}
    assert q.progress(purpose).resume_at.key == "capabilities"


def test_false_is_an_answer_and_an_empty_list_is_not():
    assert q.QUESTIONS["uses_tools"].is_answered(False)
    assert not q.QUESTIONS["audiences"].is_answered([])
    assert not q.QUESTIONS["intended_use"].is_answered("")


def test_missing_lists_unanswered_required_questions_in_order():
    missing = q.missing({"intended_use": "x"})
    assert missing[0].key == "lifecycle_stage"
    assert "intended_use" not in [m.key for m in missing]
    assert "decision_areas" not in [m.key for m in missing]


def test_contradicting_answers_are_problems():
    problems = q.problems(
        {
            "decides_about_people": True,
            "uses_tools": False,
            "tool_actions": ["spend_money"],
            "data_sources": ["none", "user_data"],
        }
    )
    keys = {p.question.key for p in problems}
    assert keys == {"tool_actions", "data_sources"}
    assert all(p.section.key for p in problems)


def test_conditional_questions_are_required_only_while_their_condition_holds():
    assert "tool_actions" not in [m.key for m in q.missing({"uses_tools": False})]
    assert "tool_actions" in [m.key for m in q.missing({"uses_tools": True})]
    assert "decision_areas" not in [m.key for m in q.missing({"decides_about_people": False})]
    assert "decision_areas" in [m.key for m in q.missing({"decides_about_people": True})]
    without = q.progress({"uses_tools": False}).sections[1].required
    assert q.progress({"uses_tools": True}).sections[1].required == without + 1


def test_each_section_has_a_state_and_its_own_blockers():
    capabilities = {qn.key: True for qn in q.SECTIONS[1].questions if qn.kind == "yesno"}
    capabilities.update(system_type="agent", autonomy="none", tool_actions=["send_messages"])
    sections = {s.section.key: s.state for s in q.progress(capabilities).sections}
    assert sections["capabilities"] == q.SectionState.COMPLETE
    assert sections["purpose"] == q.SectionState.INCOMPLETE
    contradicting = {**capabilities, "uses_tools": False}
    state = {s.section.key: s.state for s in q.progress(contradicting).sections}["capabilities"]
    assert state == q.SectionState.BLOCKING
    blocking = q.blockers(contradicting, q.section("capabilities"))
    assert [b.question.key for b in blocking] == ["tool_actions"]
    assert all(b.section.key == "purpose" for b in q.blockers({}, q.section("purpose")))


def test_profile_from_keeps_only_answered_profile_questions():
    values = {"uses_tools": False, "exposure": "public", "intended_use": "x", "autonomy": None}
    assert q.profile_from(values) == {"uses_tools": False, "exposure": "public"}


def test_answers_display_in_words():
    assert q.QUESTIONS["uses_tools"].display(True) == "Yes"
    assert q.QUESTIONS["audiences"].display(["staff", "public"]) == "Our own staff, Anyone, without signing in"
    assert q.QUESTIONS["exposure"].display("public") == "Public (anyone)"
    assert q.QUESTIONS["worst_case"].display("") == "—"

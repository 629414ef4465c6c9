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
    assert progress.answered == 2  # decision_areas is optional
    assert progress.required == len(q.REQUIRED)
    purpose = progress.sections[0]
    assert purpose[0].key == "purpose" and purpose[1] == 2
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
    assert keys == {"decision_areas", "tool_actions", "data_sources"}
    assert all(p.section.key for p in problems)


def test_profile_from_keeps_only_answered_profile_questions():
    values = {"uses_tools": False, "exposure": "public", "intended_use": "x", "autonomy": None}
    assert q.profile_from(values) == {"uses_tools": False, "exposure": "public"}


def test_answers_display_in_words():
    assert q.QUESTIONS["uses_tools"].display(True) == "Yes"
    assert q.QUESTIONS["audiences"].display(["staff", "public"]) == "Our own staff, Anyone, without signing in"
    assert q.QUESTIONS["exposure"].display("public") == "Public (anyone)"
    assert q.QUESTIONS["worst_case"].display("") == "—"

"""The risk-context questionnaire: five sections, each question in plain language with why we ask.

A question either confirms part of the AI system's profile (`profile=True`: its key is a
profile field or capability flag of `AISystem`, and confirming the plan writes the answer to
the system) or is context a reviewer needs, kept on the assessment. Profile questions are
pre-filled from the system; every answer must still be saved once, which is what confirming
means.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

from governance.models import CAPABILITY_FLAGS, PROFILE_FIELDS

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class Question:
    key: str
    text: StrOrPromise
    why: StrOrPromise
    kind: str  # "choice" (one of), "multi" (any of), "yesno", "text"
    choices: tuple[tuple[str, StrOrPromise], ...] = ()
    required: bool = True
    profile: bool = False
    # (key, value): the question is required only while that answer is that value.
    required_when: tuple[str, Any] | None = None

    def is_required(self, values: dict[str, Any]) -> bool:
        if not self.required:
            return False
        return self.required_when is None or values.get(self.required_when[0]) == self.required_when[1]

    def is_answered(self, value: Any) -> bool:
        return value not in (None, "", [])

    def same(self, a: Any, b: Any) -> bool:
        """Whether two values are the same answer (every kind of empty is the same non-answer)."""
        return (a if self.is_answered(a) else None) == (b if self.is_answered(b) else None)

    def display(self, value: Any) -> str:
        """The answer as people read it."""
        if not self.is_answered(value):
            return "—"
        if self.kind == "yesno":
            return str(_("Yes") if value else _("No"))
        labels = dict(self.choices)
        if self.kind == "multi":
            return ", ".join(str(labels.get(v, v)) for v in value)
        if self.kind == "choice":
            return str(labels.get(value, value))
        return str(value)


@dataclass(frozen=True)
class Section:
    key: str
    title: StrOrPromise
    intro: StrOrPromise
    questions: tuple[Question, ...] = field(default_factory=tuple)


def _profile_choice(name: str, text: StrOrPromise, why: StrOrPromise) -> Question:
    return Question(name, text, why, "choice", tuple(PROFILE_FIELDS[name].choices), profile=True)


def _flag(name: str, text: StrOrPromise, why: StrOrPromise | None = None) -> Question:
    assert name in CAPABILITY_FLAGS, name
    return Question(name, text, why or CAPABILITY_FLAGS[name][1], "yesno", profile=True)


SECTIONS: tuple[Section, ...] = (
    Section(
        "purpose",
        _("Purpose and people"),
        _("What the system is for, who meets it, and whether it affects decisions about people."),
        (
            Question(
                "intended_use",
                _("What is the system for, in one or two sentences?"),
                _("Reviewers judge every other answer against the intended use; misuse starts where it ends."),
                "text",
            ),
            _profile_choice(
                "lifecycle_stage",
                _("Where is it in its life today?"),
                _("Controls are planned from design onwards; some only matter once real users are affected."),
            ),
            Question(
                "audiences",
                _("Who uses it or is affected by what it produces?"),
                _("The wider and less expert the audience, the more harm an unsafe or manipulated answer can do."),
                "multi",
                (
                    ("staff", _("Our own staff")),
                    ("business_customers", _("Business customers")),
                    ("consumers", _("Consumers who signed up")),
                    ("public", _("Anyone, without signing in")),
                ),
            ),
            _flag(
                "vulnerable_users",
                _("Could children or people in a vulnerable situation use it or be affected by it?"),
                _(
                    "Self-harm, medical or financial advice does more damage to vulnerable people; stricter "
                    "safeguards apply."
                ),
            ),
            _flag("serves_eu", _("Is it used in the European Union, or does its output affect people there?")),
            _flag(
                "decides_about_people",
                _("Does its output decide, or strongly influence, decisions about people?"),
                _(
                    "Hiring, credit, housing, education, health, insurance or policing decisions need fairness "
                    "testing, human oversight and, in the EU, the high-risk obligations."
                ),
            ),
            Question(
                "decision_areas",
                _("If so, which kinds of decision?"),
                _("Some areas are named high-risk by the EU AI Act (Annex III) and need specific controls."),
                "multi",
                (
                    ("employment", _("Hiring, promotion or dismissal")),
                    ("credit", _("Credit or insurance")),
                    ("housing", _("Housing")),
                    ("education", _("Education or exams")),
                    ("health", _("Health or care")),
                    ("public_services", _("Public services or benefits")),
                    ("law_enforcement", _("Law enforcement or migration")),
                    ("other", _("Another kind of decision")),
                ),
                required_when=("decides_about_people", True),
            ),
            Question(
                "human_oversight",
                _("How does a person check or correct its output before it affects someone?"),
                _(
                    "Oversight is the last line of defence against wrong or unfair output; say who looks, when, and "
                    "whether they can overrule it. “Nobody” is a valid answer."
                ),
                "text",
            ),
            _profile_choice(
                "eu_ai_act_tier",
                _("Which EU AI Act risk class does it fall into?"),
                _(
                    "The class decides the legal obligations. Systems that decide about people are usually high "
                    "risk; chat assistants usually carry transparency obligations."
                ),
            ),
            _profile_choice(
                "operator_role",
                _("What is our role for this system under the EU AI Act?"),
                _("Providers carry most obligations; deployers must use the system as instructed and oversee it."),
            ),
        ),
    ),
    Section(
        "capabilities",
        _("Capabilities"),
        _("What the system can do by itself. Every capability is also a way for an attacker to act through it."),
        (
            _profile_choice(
                "system_type",
                _("Which description fits the system best?"),
                _(
                    "The type decides the broad families of controls: an agent needs tool controls, a predictive "
                    "model fairness and drift controls."
                ),
            ),
            _flag("generates_text", _("Does it write free text (answers, summaries, e-mails, code)?")),
            _flag(
                "uses_tools",
                _("Can it take actions: send messages, spend money, call other systems or change records?"),
                _(
                    "Actions turn a wrong or manipulated answer into real-world effects; tool-misuse and "
                    "excessive-agency controls apply."
                ),
            ),
            Question(
                "tool_actions",
                _("Which actions can it take?"),
                _("The most powerful action sets the stakes for an attacker who takes control of it."),
                "multi",
                (
                    ("send_messages", _("Send messages or e-mails")),
                    ("spend_money", _("Spend money or set prices")),
                    ("change_records", _("Create, change or delete records")),
                    ("call_apis", _("Call other internal or external services")),
                    ("none", _("None: it only answers")),
                ),
                required_when=("uses_tools", True),
            ),
            _flag("executes_code", _("Can it run code, its own or anyone else's?")),
            _flag("web_access", _("Can it browse or fetch pages from the internet?")),
            _flag(
                "memory_retrieval",
                _("Does it remember past conversations or search documents to answer (retrieval)?"),
            ),
            _flag("multi_agent", _("Does it hand work to, or take work from, other AI agents?")),
            _profile_choice(
                "autonomy",
                _("How much does it do before a person checks?"),
                _(
                    "The less a person checks, the more runaway loops and wrong actions cost; autonomy controls "
                    "scale with it."
                ),
            ),
        ),
    ),
    Section(
        "model_data",
        _("Model and data"),
        _("Where the model and its data come from decides who can tamper with them and who can fix them."),
        (
            _profile_choice(
                "provenance",
                _("Where does the model come from?"),
                _("A vendor's API, open weights and an in-house model have different supply-chain risks."),
            ),
            Question(
                "data_sources",
                _("What data was it trained or fine-tuned on, or does it retrieve from?"),
                _("Data that outsiders can write is the route for poisoning; data about people brings privacy duties."),
                "multi",
                (
                    ("public_web", _("Public web data")),
                    ("user_data", _("Our users' or customers' data")),
                    ("vendor_data", _("Data bought from or shared by vendors")),
                    ("internal_documents", _("Our internal documents")),
                    ("none", _("None of ours: we use the model as supplied")),
                ),
            ),
            _flag("trains_on_user_data", _("Is it trained or fine-tuned on data from users or customers?")),
            _flag("processes_personal_data", _("Does it see or produce personal data?")),
            _flag(
                "uses_reinforcement_learning",
                _("Is it trained or tuned with a reward signal (reinforcement learning)?"),
            ),
        ),
    ),
    Section(
        "exposure",
        _("Exposure to adversaries"),
        _("Who could try to make the system misbehave, and through which doors."),
        (
            _profile_choice(
                "exposure",
                _("Who can send it input?"),
                _(
                    "The wider the audience, the more likely someone attacks it; public systems get the full "
                    "prompt-injection and abuse set."
                ),
            ),
            _flag(
                "reads_untrusted_content",
                _("Does it read content that outsiders can write, such as e-mails, web pages or uploaded files?"),
                _("Instructions hidden in such content can take over the system (indirect prompt injection)."),
            ),
            _flag(
                "weights_exposed",
                _("Are its weights deployed where others can reach them (devices, partners, open release)?"),
            ),
            _flag("exposes_scores", _("Does its interface return scores, probabilities or confidence values?")),
        ),
    ),
    Section(
        "harm",
        _("Harm potential"),
        _("What a failure could cost, and to whom. This sets the weight of the incident-response controls."),
        (
            Question(
                "harm_types",
                _("What is the worst credible harm if it fails or is abused?"),
                _("Name every kind that applies; incident plans must cover reputational as well as technical harm."),
                "multi",
                (
                    ("financial", _("Financial loss")),
                    ("physical", _("Physical harm to people")),
                    ("psychological", _("Psychological harm")),
                    ("legal", _("Legal or regulatory breach")),
                    ("reputational", _("Damage to our reputation")),
                    ("discrimination", _("Unfair treatment of people")),
                ),
            ),
            Question(
                "worst_case",
                _("Describe the worst credible failure in a sentence or two."),
                _("A concrete story (“it tells a teenager how to self-harm”) helps everyone agree on severity."),
                "text",
            ),
            Question(
                "people_affected",
                _("How many people could one failure affect?"),
                _("Reach multiplies severity and decides how fast incidents must be contained."),
                "choice",
                (
                    ("few", _("A handful")),
                    ("hundreds", _("Hundreds")),
                    ("thousands", _("Thousands")),
                    ("millions", _("Millions")),
                ),
            ),
            _flag(
                "dual_use_capability",
                _(
                    "Could it give real help with chemical, biological, radiological, nuclear or explosive "
                    "weapons, through its knowledge or its tools?"
                ),
            ),
        ),
    ),
)

SECTION_KEYS = [s.key for s in SECTIONS]
QUESTIONS: dict[str, Question] = {q.key: q for s in SECTIONS for q in s.questions}
SECTION_OF: dict[str, Section] = {q.key: s for s in SECTIONS for q in s.questions}
PROFILE_QUESTIONS = [q.key for q in QUESTIONS.values() if q.profile]

# Every part of the profile that applicability rules read is confirmed by a question.
assert set(PROFILE_QUESTIONS) == {*PROFILE_FIELDS, *CAPABILITY_FLAGS}, "questionnaire misses profile fields"


def section(key: str) -> Section | None:
    return next((s for s in SECTIONS if s.key == key), None)


def next_section(key: str) -> Section | None:
    index = SECTION_KEYS.index(key)
    return SECTIONS[index + 1] if index + 1 < len(SECTIONS) else None


class SectionState:
    COMPLETE = "complete"  # every question it needs is answered, nothing contradicts
    INCOMPLETE = "incomplete"  # questions it needs are still unanswered
    BLOCKING = "blocking"  # an answer contradicts another: it must change before completing


@dataclass
class SectionProgress:
    section: Section
    answered: int
    required: int
    contradictions: int

    @property
    def state(self) -> str:
        if self.contradictions:
            return SectionState.BLOCKING
        return SectionState.INCOMPLETE if self.answered < self.required else SectionState.COMPLETE


@dataclass
class Progress:
    answered: int
    required: int
    sections: list[SectionProgress]

    @property
    def percent(self) -> int:
        return round(100 * self.answered / self.required) if self.required else 100

    @property
    def complete(self) -> bool:
        return all(s.state == SectionState.COMPLETE for s in self.sections)

    @property
    def resume_at(self) -> Section:
        """Where to pick up: the first section something blocks (else the last)."""
        return next((s.section for s in self.sections if s.state != SectionState.COMPLETE), self.sections[-1].section)


def progress(values: dict[str, Any]) -> Progress:
    """How many required questions are answered, overall and per section, and each section's state.

    A conditional question counts only while its condition holds ("Which actions?" only when the
    system takes actions)."""
    contradictions: dict[str, int] = {}
    for problem in problems(values):
        contradictions[problem.section.key] = contradictions.get(problem.section.key, 0) + 1
    rows = []
    for s in SECTIONS:
        required = [q for q in s.questions if q.is_required(values)]
        answered = sum(1 for q in required if q.is_answered(values.get(q.key)))
        rows.append(SectionProgress(s, answered, len(required), contradictions.get(s.key, 0)))
    return Progress(sum(r.answered for r in rows), sum(r.required for r in rows), rows)


def missing(values: dict[str, Any]) -> list[Question]:
    """Questions required (now, given the other answers) without an answer, in questionnaire order."""
    return [q for q in QUESTIONS.values() if q.is_required(values) and not q.is_answered(values.get(q.key))]


def blockers(values: dict[str, Any], section: Section | None = None) -> list[Problem]:
    """Everything in the answers that blocks completing the questionnaire, optionally for one section:
    unanswered required questions, then answers that contradict each other."""
    found = [Problem(question, str(_("Not answered yet."))) for question in missing(values)]
    found += problems(values)
    if section is not None:
        found = [p for p in found if p.section.key == section.key]
    return found


def profile_from(values: dict[str, Any]) -> dict[str, Any]:
    """The profile values the answers give (only answered profile questions)."""
    return {k: values[k] for k in PROFILE_QUESTIONS if QUESTIONS[k].is_answered(values.get(k))}


@dataclass(frozen=True)
class Problem:
    question: Question
    message: str

    @property
    def section(self) -> Section:
        return SECTION_OF[self.question.key]


def problems(values: dict[str, Any]) -> list[Problem]:
    """Answers that contradict each other; like missing answers they block completion."""
    found = []
    actions = values.get("tool_actions") or []
    if values.get("uses_tools") is False and set(actions) - {"none"}:
        found.append(
            Problem(QUESTIONS["tool_actions"], str(_("Actions are listed, but the system is said not to take any.")))
        )
    for key in ("tool_actions", "data_sources"):
        chosen = values.get(key) or []
        if "none" in chosen and len(chosen) > 1:
            found.append(Problem(QUESTIONS[key], str(_("“None” cannot be combined with other answers."))))
    return found

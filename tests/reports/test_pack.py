"""An audit pack says what the database holds: the same rows in the PDF's text, the workbook's
cells and the CSV files, every file listed with its hash in MANIFEST.sha256."""

import csv
import datetime as dt
import hashlib
import io
import zipfile
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from accounts.models import Role
from audit.models import AuditEvent
from incidents.models import Incident
from readiness import coverage, engine
from reports import services
from reports.documents import MANIFEST, csv_text, text
from reports.models import AuditPack
from reports.pack import pack_document
from risks.models import RiskScenario
from tests.alignment.factories import AlignmentFindingFactory, AlignmentReviewFactory
from tests.assessments.factories import ControlAssignmentFactory, EvidenceFactory
from tests.conftest import module_data
from tests.factories import (
    AISystemFactory,
    ControlFactory,
    MembershipFactory,
    OrganisationFactory,
    TeamFactory,
    ThreatFactory,
    UserFactory,
)
from tests.incidents.factories import IncidentFactory
from tests.response.factories import PlanFactory, PlaybookFactory, TabletopFactory
from tests.risks.factories import RiskScenarioFactory
from tests.threats.factories import (
    RedTeamExerciseFactory,
    RedTeamFindingFactory,
    ThreatEntryFactory,
    ThreatModelFactory,
)

pytestmark = pytest.mark.django_db

FILE_BYTES = b"id,result\n1,pass\n"
HOSTILE_NOTE = '=HYPERLINK("http://attacker.example","open me")'


def add_system(org, team, lead, name, *, n=1):
    """A system with a verified security control (file evidence), an open safety control (a
    note that looks like a formula), a co-signed `both` control, a risk, a threat model with a
    mitigated threat and a red-team exercise with an open high finding."""
    system = AISystemFactory(organisation=org, owner_team=team, name=name)
    now = timezone.now()
    verified = ControlAssignmentFactory(
        ai_system=system,
        control=ControlFactory(domain="security", title=f"Filter instructions in retrieved pages {n}"),
        status="verified",
        verified_by=lead,
        verified_at=now,
    )
    open_safety = ControlAssignmentFactory(
        ai_system=system, control=ControlFactory(domain="safety"), status="in_progress"
    )
    ControlAssignmentFactory(
        ai_system=system, control=ControlFactory(domain="both"), cosigning_team=TeamFactory(organisation=org)
    )
    EvidenceFactory(
        assignment=verified,
        uploaded_by=lead,
        with_file=True,
        sha256=hashlib.sha256(FILE_BYTES + name.encode()).hexdigest(),
    )
    EvidenceFactory(assignment=open_safety, uploaded_by=lead, note=HOSTILE_NOTE)
    RiskScenarioFactory(ai_system=system, author=lead, title=f"Instructions leak from {name}")
    model = ThreatModelFactory(ai_system=system, author=lead, title=f"Threat model of {name}")
    entry = ThreatEntryFactory(threat_model=model, threat=ThreatFactory(title=f"Indirect injection {n}"))
    entry.mitigations.add(verified)
    exercise = RedTeamExerciseFactory(ai_system=system, author=lead, title=f"Tool misuse drill {n}")
    RedTeamFindingFactory(exercise=exercise, title=f"Tool misuse through a poisoned web page {n}", severity="high")
    review = AlignmentReviewFactory(ai_system=system, author=lead, title=f"Fairness review {n}")
    AlignmentFindingFactory(review=review, title=f"Refusals differ by dialect {n}")
    plan = PlanFactory(ai_system=system, author=lead, title=f"IR plan {n}")
    TabletopFactory(playbook=PlaybookFactory(plan=plan, title=f"Prompt leak {n}"), author=lead, title=f"Drill {n}")
    IncidentFactory(system=system, reported_by=lead, title=f"Instructions shown to a customer {n}")
    return system


@pytest.fixture
def world(org, team, lead):
    return {
        "chatbot": add_system(org, team, lead, "Support Chatbot ✓"),
        "classifier": add_system(org, team, lead, "B", n=2),
    }


@pytest.fixture(scope="module")
def _built(django_db_setup, django_db_blocker):
    """Two systems' records and two packs built from them (the whole organisation, one system),
    once for the module: building renders a PDF."""
    with module_data(django_db_blocker):
        org = OrganisationFactory(name="Acme Audit", slug="acme-audit")
        team = TeamFactory(organisation=org, name="Security Engineering")
        lead = UserFactory(first_name="Lena", last_name="Lead")
        auditor = UserFactory(first_name="Audrey", last_name="Auditor")
        MembershipFactory(organisation=org, user=lead, role=Role.LEAD)
        MembershipFactory(organisation=org, user=auditor, role=Role.AUDITOR)
        add_system(org, team, lead, "Support Chatbot ✓")
        classifier = add_system(org, team, lead, "Fraud Classifier", n=2)
        whole = request_and_build(auditor, org)
        single = request_and_build(auditor, org, classifier)
        yield SimpleNamespace(org=org, auditor=auditor, whole=whole, files=unzip(whole), system_files=unzip(single))


@pytest.fixture
def built(_built, db):
    return _built


def request_and_build(auditor, org, ai_system=None) -> AuditPack:
    pack = services.pack_request(actor=auditor, organisation=org, ai_system=ai_system)
    services.pack_build(pack.pk)  # what the task queued on commit does
    pack.refresh_from_db()
    return pack


def unzip(pack: AuditPack) -> dict[str, bytes]:
    with pack.file.open("rb") as handle:
        archive = zipfile.ZipFile(io.BytesIO(handle.read()))
    return {name: archive.read(name) for name in archive.namelist()}


def sheets(files) -> dict[str, list[list]]:
    workbook = load_workbook(io.BytesIO(files["audit-pack.xlsx"]))
    return {name: [[c.value for c in row] for row in workbook[name].iter_rows()] for name in workbook.sheetnames}


def csv_rows(files, name) -> list[list[str]]:
    return list(csv.reader(io.StringIO(files[f"csv/{name}.csv"].decode("utf-8-sig"))))


def pdf_text(files) -> str:
    reader = PdfReader(io.BytesIO(files["audit-pack.pdf"]))
    return "".join("".join(page.extract_text().split()) for page in reader.pages)


def risk_titles(org) -> list[str]:
    return sorted(RiskScenario.objects.latest().filter(organisation=org).values_list("title", flat=True))


def org_incidents(org) -> list[str]:
    return list(Incident.objects.filter(organisation=org).values_list("title", flat=True))


def as_csv(cell):
    """A workbook cell as its CSV field: the workbook holds times as UTC without a zone, and a
    date as a time at midnight (the document's dates have no time of day)."""
    if isinstance(cell, dt.datetime):
        if cell.time() == dt.time(0):
            return cell.date().isoformat()
        return text(cell.replace(tzinfo=dt.UTC))
    return csv_text(cell)


def flat(value) -> str:
    return "".join(text(value).split())


def test_the_pack_matches_the_database_in_every_format(built):
    org, pack, files = built.org, built.whole, built.files
    assert (pack.status, pack.stage, pack.chain_intact) == ("done", AuditPack.Stage.DONE, True)

    # The manifest lists every other file with its SHA-256, and the row stores the zip's hash.
    manifest = dict(reversed(line.split("  ", 1)) for line in files[MANIFEST].decode().splitlines())
    assert sorted(manifest) == sorted(n for n in files if n != MANIFEST)
    assert all(hashlib.sha256(files[n]).hexdigest() == digest for n, digest in manifest.items())
    with pack.file.open("rb") as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == pack.sha256

    # One sheet per table, one CSV per sheet, the same cells.
    book = sheets(files)
    assert {f"csv/{name}.csv" for name in book} == {n for n in files if n.startswith("csv/")}
    for name, rows in book.items():
        assert csv_rows(files, name) == [[as_csv(v) for v in row] for row in rows], name

    # The database, table by table.
    assignments = list(org.control_assignments.select_related("control", "ai_system"))
    for domain in ("security", "safety", "both"):
        refs = sorted((a.ai_system.name, a.control.ref) for a in assignments if a.control.domain == domain)
        assert sorted((r[0], r[1]) for r in book[f"controls_{domain}"][1:]) == refs
    verified = next(r for r in book["controls_security"][1:] if r[0] == "Support Chatbot ✓")
    assert verified[3:7] == ["Security Engineering", "Verified", f"Lena Lead, {timezone.localdate()}", "not needed"]
    assert verified[8] == 1  # evidence items
    evidence = list(org.evidence.all())
    assert sorted(r[4] or "" for r in book["evidence"][1:]) == sorted(e.sha256 for e in evidence)
    assert sorted(r[1] for r in book["risks"][1:]) == risk_titles(org)
    assert sum(sum(r[1:]) for r in book["risk_heat_map"][1:]) == len(risk_titles(org))
    assert sorted(r[2] for r in book["red_team_findings"][1:]) == [
        "Tool misuse through a poisoned web page 1",
        "Tool misuse through a poisoned web page 2",
    ]
    assert sorted(r[6] for r in book["threats"][1:]) == sorted(
        a.control.ref for a in assignments if a.control.domain == "security"
    )
    assert sorted(r[1] for r in book["alignment_reviews"][1:]) == ["Fairness review 1", "Fairness review 2"]
    assert sorted(r[3] for r in book["alignment_findings"][1:]) == [
        "Refusals differ by dialect 1",
        "Refusals differ by dialect 2",
    ]
    assert sorted((r[0], r[3]) for r in book["ir_plans"][1:]) == [
        ("IR plan 1", "Support Chatbot ✓"),
        ("IR plan 2", "Fraud Classifier"),
    ]
    assert sorted((r[0], r[1], r[4]) for r in book["tabletop_exercises"][1:]) == [
        ("IR plan 1", "Drill 1", "Prompt leak 1"),
        ("IR plan 2", "Drill 2", "Prompt leak 2"),
    ]
    assert sorted(r[0] for r in book["incidents"][1:]) == sorted(org_incidents(org))
    # The verdict, every check with its reason, and framework coverage, as the readiness engine says.
    systems = list(org.ai_systems.order_by("name"))
    verdicts = engine.for_systems(org, [s.pk for s in systems])
    readiness = {r[0]: r[1:] for r in book["readiness"][1:]}
    classifier = next(s for s in systems if s.name == "Fraud Classifier")
    failing = len(verdicts[classifier.pk].failing)
    assert readiness["Fraud Classifier"] == [False, "1 / 2", 50, "0 / 2", 0, 0, 0, failing]  # `both` counts twice
    assert failing and not any(v.audit_ready for v in verdicts.values())
    assert [r[:4] for r in book["gates"][1:]] == [
        [s.name, c.label, "pass" if c.passed else "FAIL", c.reason] for s in systems for c in verdicts[s.pk].checks
    ]
    assert [r[:6] for r in book["framework_coverage"][1:]] == [
        [s.name, c.framework.name, c.covered, c.partly, c.uncovered, c.total]
        for s in systems
        for c in coverage.for_systems(org, systems)[s.pk]
    ]
    assert {r[2] for r in book["framework_coverage"][1:]} == {0, 1}  # the verified control's item is covered

    # The chain: its head when the pack was read is the one the pack's own "built" event follows.
    built_event = AuditEvent.objects.get(organisation=org, action="reports.pack.built", object_id=str(pack.pk))
    assert pack.head_hash == built_event.prev_hash
    assert book["audit_chain"][1][:4] == [built_event.seq - 1, pack.head_hash, "intact", built_event.seq - 1]

    # The PDF holds the same text (whitespace aside: long cells wrap).
    pdf = pdf_text(files)
    for expected in [
        org.name,
        "Whole organisation (2 AI systems in service)",
        "Audrey Auditor (auditor)",
        pack.head_hash,
        *[a.control.ref for a in assignments],
        *[e.sha256 for e in evidence],
        *risk_titles(org),
        "Tool misuse through a poisoned web page 2",
        "Refusals differ by dialect 1",
        *[c.reason for c in verdicts[classifier.pk].failing],
        "Drill 2",
        *org_incidents(org),
        HOSTILE_NOTE,
    ]:
        assert flat(expected) in pdf, expected
    pages = len(PdfReader(io.BytesIO(files["audit-pack.pdf"])).pages)
    assert pdf.count(flat(f"audit trail head {pack.head_hash}")) == pages


def test_a_text_that_looks_like_a_formula_stays_text(built):
    workbook = load_workbook(io.BytesIO(built.files["audit-pack.xlsx"]))
    cells = [row[3] for row in workbook["evidence"].iter_rows(min_row=2) if row[3].value == HOSTILE_NOTE]
    assert len(cells) == 2 and all(c.data_type == "s" for c in cells)
    fields = [r[3] for r in csv_rows(built.files, "evidence")[1:] if "HYPERLINK" in r[3]]
    assert fields == ["'" + HOSTILE_NOTE] * 2


def test_a_system_pack_holds_only_that_system(built):
    book = sheets(built.system_files)
    for name in (
        "controls_security",
        "evidence",
        "risks",
        "threat_models",
        "red_team_findings",
        "readiness",
        "alignment_reviews",
        "alignment_findings",
    ):
        assert {r[0] for r in book[name][1:]} == {"Fraud Classifier"}, name
    assert "AI system: Fraud Classifier" in [r[1] for r in book["pack"]]
    assert [r[0] for r in book["incidents"][1:]] == ["Instructions shown to a customer 2"]
    assert [r[0] for r in book["ir_plans"][1:]] == ["IR plan 2"]


def test_a_second_delivery_builds_nothing_more(built):
    services.pack_build(built.whole.pk)
    pack = AuditPack.objects.get(pk=built.whole.pk)
    assert (pack.attempts, pack.sha256) == (1, built.whole.sha256)
    assert AuditEvent.objects.filter(organisation=built.org, action="reports.pack.built").count() == 2  # 2 packs


def test_reading_the_pack_takes_the_same_queries_for_more_systems(world, org, team, lead, auditor):
    pack = AuditPack.objects.create(organisation=org, requested_by=auditor)
    with CaptureQueriesContext(connection) as few:
        pack_document(pack)
    for n in range(3, 6):
        add_system(org, team, lead, f"System {n}", n=n)
    with CaptureQueriesContext(connection) as more:
        document, _chain = pack_document(pack)
    assert len(more) == len(few), "\n".join(q["sql"] for q in more.captured_queries)
    assert len(document.tables[1].rows) == 5  # the readiness table: one row per system


def test_one_pack_at_a_time(org, auditor, lead):
    services.pack_request(actor=auditor, organisation=org)
    with pytest.raises(ValidationError):
        services.pack_request(actor=lead, organisation=org)
    assert AuditPack.objects.filter(organisation=org).count() == 1


@pytest.mark.parametrize("role", [Role.MEMBER, Role.VIEWER])
def test_only_auditors_leads_and_admins_request_packs(org, make_member, role):
    with pytest.raises(PermissionDenied):
        services.pack_request(actor=make_member(role), organisation=org)


def test_a_failed_build_keeps_its_reason_and_is_retried(
    org, auditor, monkeypatch, eager_tasks, django_capture_on_commit_callbacks
):
    def broken(document):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr("reports.documents.render_pdf", broken)
    with pytest.raises(RuntimeError), django_capture_on_commit_callbacks(execute=True):
        services.pack_request(actor=auditor, organisation=org)
    failed = AuditPack.objects.get(organisation=org)
    assert (failed.status, failed.message, bool(failed.file)) == ("failed", "the disk is full", False)

    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        retried = services.pack_retry(actor=auditor, pack=failed)
    retried.refresh_from_db()
    assert retried.pk != failed.pk and retried.status == "done" and retried.ai_system_id is None
    with pytest.raises(ValidationError):
        services.pack_retry(actor=auditor, pack=retried)


def test_a_taken_over_build_overwrites_the_first_attempts_file(org, auditor):
    from django.core.files.storage import default_storage

    from reports.models import pack_path

    pack = AuditPack.objects.create(organisation=org, requested_by=auditor)
    default_storage.save(pack_path(pack, ""), io.BytesIO(b"half a zip"))  # a killed worker's leftovers
    services.pack_build(pack.pk)
    pack.refresh_from_db()
    assert pack.file.name == pack_path(pack, "")
    assert zipfile.ZipFile(pack.file.open("rb")).namelist()[-1] == MANIFEST
    assert AuditEvent.objects.filter(organisation=org, action="reports.pack.built").count() == 1

"""Evidence: uploads are checked by size and content, stored under random names, downloaded only
as attachments by members of the organisation."""

import datetime as dt
import hashlib
import io
import zipfile
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from assessments.evidence import safe_filename, validate_upload
from assessments.models import Evidence
from audit.models import AuditEvent
from tests.assessments.factories import ControlAssignmentFactory, EvidenceFactory
from tests.factories import ControlFactory

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def office(member: str) -> bytes:
    # A fixed timestamp keeps the bytes, and so the parametrised test ids, the same
    # in every xdist worker: ZipFile.writestr with a bare name stamps the current
    # time, and workers that collect a second apart then disagree on the test list.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in (("[Content_Types].xml", "<Types/>"), (member, "<x/>")):
            archive.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), text)
    return buffer.getvalue()


@pytest.fixture
def assignment(system):
    return ControlAssignmentFactory(ai_system=system, control=ControlFactory())


def url(a):
    return reverse("assessments:evidence_add", args=[a.organisation.slug, a.pk])


def upload(name, content, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.mark.parametrize(
    ("name", "content", "stored_type"),
    [
        ("report.pdf", PDF, "application/pdf"),
        ("screenshot.png", PNG, "image/png"),
        ("notes.md", "# Résumé of the run\n".encode(), "text/markdown"),
        ("results.csv", b"prompt,blocked\n1,yes\n", "text/csv"),
        ("config.json", b'{"threshold": 0.8}', "application/json"),
        ("sheet.xlsx", office("xl/workbook.xml"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (
            "memo.docx",
            office("word/document.xml"),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
    ],
)
def test_allowed_types_are_accepted_by_their_content(name, content, stored_type):
    checked = validate_upload(upload(name, content))
    assert checked.content_type == stored_type
    assert checked.sha256 == hashlib.sha256(content).hexdigest()


@pytest.mark.parametrize(
    ("name", "content", "found"),
    [
        ("invoice.pdf", PNG, "PNG"),  # an image renamed to look like a PDF
        ("photo.png", PDF, "PDF"),
        ("notes.txt", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff", "EXE"),  # an executable
        ("readme.md", "café".encode("latin-1"), "binary data"),  # not UTF-8
        ("sheet.xlsx", office("word/document.xml"), "DOCX"),  # a Word file renamed
        ("memo.docx", office("other.xml"), "ZIP"),  # an archive, but not a Word document
        ("memo.docx", PDF, "PDF"),
        ("data.json", b"{not json", "not valid JSON"),
    ],
)
def test_a_disguised_type_is_refused(name, content, found):
    with pytest.raises(ValidationError) as error:
        validate_upload(upload(name, content))
    assert found in error.value.messages[0]
    assert "does not contain what its name says: it should be " in error.value.messages[0]


@pytest.mark.parametrize("name", ["run.exe", "page.html", "image.svg", "archive.zip", "noextension"])
def test_other_types_are_refused(name):
    with pytest.raises(ValidationError, match="not accepted"):
        validate_upload(upload(name, b"hello"))


def test_a_file_over_the_limit_is_refused(settings):
    settings.BASTION_EVIDENCE_MAX_BYTES = 1024
    with pytest.raises(ValidationError, match=r"the limit is 1\.0"):
        validate_upload(upload("big.txt", b"a" * 1025))


def test_an_empty_file_is_refused():
    with pytest.raises(ValidationError, match="empty"):
        validate_upload(upload("empty.txt", b""))


@pytest.mark.parametrize(
    ("raw", "safe"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\windows\\system32\\evil.pdf", "evil.pdf"),
        ("/abs/path/report.pdf", "report.pdf"),
        ("report\r\nSet-Cookie: x.pdf", "reportSet-Cookie: x.pdf"),
        ("..", "evidence"),
        (".hidden.txt", "hidden.txt"),
        ("a" * 300 + ".pdf", "a" * 146 + ".pdf"),
    ],
)
def test_path_parts_and_control_characters_are_stripped_from_names(raw, safe):
    assert safe_filename(raw) == safe


def test_an_upload_is_stored_under_a_random_name_with_its_hash(client_for, member, assignment, settings):
    content = b"prompt,blocked\n1,yes\n"
    response = client_for(member).post(url(assignment), {"file": upload("../../results.csv", content)})
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    assert evidence.original_filename == "results.csv"
    assert evidence.sha256 == hashlib.sha256(content).hexdigest() and evidence.size == len(content)
    stored = Path(evidence.file.name)
    assert stored.parent == Path(f"evidence/{assignment.organisation_id}")
    assert len(stored.stem) == 32 and stored.suffix == ".csv" and "results" not in stored.name
    assert (Path(settings.MEDIA_ROOT) / stored).read_bytes() == content
    event = AuditEvent.objects.get(action="assessments.evidence.added")
    assert event.after["sha256"] == evidence.sha256 and event.object_id == str(assignment.pk)


def test_a_refused_upload_is_shown_again_and_nothing_is_stored(client_for, member, assignment, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    response = client_for(member).post(url(assignment), {"file": upload("invoice.pdf", PNG)})
    assert response.status_code == 200
    assert "does not contain what its name says" in str(response.context["evidence_form"].errors["file"])
    assert not Evidence.objects.exists()
    assert not list(tmp_path.rglob("*.*"))


def test_links_and_notes_are_evidence_too(client_for, member, assignment):
    c = client_for(member)
    c.post(url(assignment), {"link": "https://tickets.example/AI-1", "valid_until": "2099-01-01"})
    c.post(url(assignment), {"note": "Reviewed with the red team."})
    assert sorted(Evidence.objects.values_list("kind", flat=True)) == ["link", "note"]


@pytest.mark.parametrize(
    "data",
    [
        {},  # nothing
        {"link": "https://x.example/", "note": "and a note"},  # two at once
        {"link": "javascript:alert(1)"},
        {"note": "x", "valid_until": "2001-01-01"},  # already expired
    ],
)
def test_invalid_evidence_is_shown_again(client_for, member, assignment, data):
    response = client_for(member).post(url(assignment), data)
    assert response.status_code == 200 and response.context["evidence_form"].errors
    assert not Evidence.objects.exists()


def test_expired_evidence_shows_as_expired_and_does_not_count(client_for, member, assignment):
    EvidenceFactory(assignment=assignment, valid_until=timezone.localdate() - dt.timedelta(days=2))
    body = client_for(member).get(assignment.get_absolute_url()).content.decode()
    assert "Expired" in body
    assert "Add evidence that is still valid first" in body


def test_a_member_of_another_team_cannot_add_evidence(client_for, safety_member, assignment):
    assert client_for(safety_member).post(url(assignment), {"note": "x"}).status_code == 403
    assert not Evidence.objects.exists()


# --- Downloads ----------------------------------------------------------------------------------


def download(evidence):
    return reverse("assessments:evidence_download", args=[evidence.organisation.slug, evidence.pk])


def test_members_download_files_as_attachments_never_inline(client_for, viewer, assignment):
    evidence = EvidenceFactory(assignment=assignment, with_file=True, original_filename="re port\u00e9.csv")
    response = client_for(viewer).get(download(evidence))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''re%20port%C3%A9.csv" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"
    assert response["Content-Type"] == "text/csv"
    assert b"".join(response.streaming_content) == b"id,result\n1,pass\n"


def test_an_outsider_gets_404_for_a_download(client_for, outsider, assignment):
    evidence = EvidenceFactory(assignment=assignment, with_file=True)
    assert client_for(outsider).get(download(evidence)).status_code == 404


def test_a_note_has_nothing_to_download(client_for, member, assignment):
    assert client_for(member).get(download(EvidenceFactory(assignment=assignment))).status_code == 404


def test_anonymous_downloads_nothing(client, assignment):
    evidence = EvidenceFactory(assignment=assignment, with_file=True)
    assert client.get(download(evidence))["Location"].startswith(reverse("login"))

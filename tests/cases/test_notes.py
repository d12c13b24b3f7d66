"""Internal notes: regulator staff working the case write them, with files; they are never
public, and a refused note (wrong person, no text, a bad file) leaves no trace."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from cases import notes
from cases.models import AttachmentKind, CaseAttachment, CaseEvent
from cases.workflow import TransitionNotAllowed
from foundation.models import Notification
from tests.enterprises.pdfs import contract_pdf, html_named_pdf
from tests.factories import make_complaint
from tests.images import jpeg_with_gps
from tests.object_store import stored_files

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
NOTE = "cases.complaint.note_added"


@pytest.fixture
def complaint(estate_x):
    return make_complaint(estate=estate_x).complaint


def notes_of(complaint):
    return CaseEvent.objects.filter(complaint=complaint, action=NOTE)


def test_an_inspector_adds_a_note_with_files(complaint, inspector):
    event = notes.add_internal_note(
        complaint,
        actor=inspector,
        text="  现场核实：电梯确已停运。  ",
        files=[contract_pdf("检查记录.pdf"), jpeg_with_gps("现场.jpg")],
    )
    attachments = list(CaseAttachment.objects.filter(complaint=complaint).order_by("pk"))
    assert [a.title for a in attachments] == ["检查记录.pdf", "现场.jpg"]
    assert {a.kind for a in attachments} == {AttachmentKind.INTERNAL}
    assert {a.uploaded_by for a in attachments} == {inspector}
    assert event.action == NOTE and event.is_public is False
    assert event.user == inspector
    assert event.data == {
        "text": "现场核实：电梯确已停运。",
        "attachments": [a.pk for a in attachments],
    }


def test_a_note_without_files(complaint, official):
    event = notes.add_internal_note(complaint, actor=official, text="请尽快分派")
    assert event.data == {"text": "请尽快分派", "attachments": []}


def test_a_note_changes_nothing_on_the_case_and_tells_the_citizen_nothing(
    complaint, official, django_capture_on_commit_callbacks
):
    before = complaint.status, complaint.updated_at
    with django_capture_on_commit_callbacks(execute=True):
        notes.add_internal_note(complaint, actor=official, text="内部讨论")
    complaint.refresh_from_db()
    assert (complaint.status, complaint.updated_at) == before
    assert not Notification.objects.exists()


@pytest.mark.parametrize(
    "who",
    ["company_a_staff", "committee_member", "citizen", "evaluator", "other_district_inspector"],
)
def test_outsiders_cannot_add_notes(who, complaint, request):
    user = request.getfixturevalue(who)
    with pytest.raises(TransitionNotAllowed, match="internal notes"):
        notes.add_internal_note(complaint, actor=user, text="x", files=[contract_pdf()])
    assert not notes_of(complaint).exists()
    assert not CaseAttachment.objects.exists()


def test_anonymous_cannot_add_notes(complaint):
    with pytest.raises(TransitionNotAllowed):
        notes.add_internal_note(complaint, actor=None, text="x")
    assert not notes_of(complaint).exists()


@pytest.mark.parametrize("text", ["", "   \n  ", None])
def test_a_note_needs_a_text(text, complaint, inspector):
    with pytest.raises(TransitionNotAllowed, match="needs a text"):
        notes.add_internal_note(complaint, actor=inspector, text=text, files=[contract_pdf()])
    assert not notes_of(complaint).exists()
    assert not CaseAttachment.objects.exists()


def test_a_note_has_at_most_5000_characters(complaint, inspector):
    notes.add_internal_note(complaint, actor=inspector, text="字" * 5000)
    with pytest.raises(TransitionNotAllowed, match="5000"):
        notes.add_internal_note(complaint, actor=inspector, text="字" * 5001)
    assert notes_of(complaint).count() == 1


def test_one_bad_file_refuses_the_whole_note(complaint, inspector, media_root):
    with pytest.raises(ValidationError, match="invoice.pdf"):
        notes.add_internal_note(
            complaint,
            actor=inspector,
            text="附件见下",
            files=[contract_pdf("good.pdf"), html_named_pdf("invoice.pdf")],
        )
    assert not notes_of(complaint).exists()
    assert not CaseAttachment.objects.exists()
    assert stored_files(media_root) == []


def test_an_oversized_file_refuses_the_note(complaint, inspector, settings):
    settings.CASE_ATTACHMENT_MAX_BYTES = 100
    big = SimpleUploadedFile("big.pdf", b"%PDF-1.4\n" + b"0" * 200, "application/pdf")
    with pytest.raises(ValidationError, match="big.pdf"):
        notes.add_internal_note(complaint, actor=inspector, text="见附件", files=[big])
    assert not notes_of(complaint).exists()


def test_a_rejected_case_can_still_get_notes(complaint, official):
    from cases import workflow

    workflow.reject_case(complaint, actor=official, reason="不属于物业服务范围")
    notes.add_internal_note(complaint, actor=official, text="已电话告知投诉人")
    assert notes_of(complaint).count() == 1

import itertools

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from audit.models import GENESIS_HASH, AuditEvent, ChainHead
from audit.services import record, record_many, verify_chain
from tests.factories import AISystemFactory, OrganisationFactory


@pytest.fixture
def events(org, admin):
    system = AISystemFactory(organisation=org)
    with transaction.atomic():
        return [
            record(
                organisation=org, actor=admin, action="test.changed", obj=system, before={"n": i}, after={"n": i + 1}
            )
            for i in range(5)
        ]


def test_events_link_into_a_chain(org, events):
    assert events[0].prev_hash == GENESIS_HASH
    for earlier, later in itertools.pairwise(events):
        assert later.prev_hash == earlier.hash
        assert later.seq == earlier.seq + 1
    assert verify_chain(org).ok
    assert ChainHead.objects.get(organisation=org).hash == events[-1].hash


def test_each_organisation_has_its_own_chain(org, events, admin):
    other = OrganisationFactory()
    with transaction.atomic():
        first = record(organisation=other, actor=admin, action="test.created", object_type="x", object_id="1")
    assert first.seq == 1 and first.prev_hash == GENESIS_HASH
    assert verify_chain(org).ok and verify_chain(other).ok


@pytest.mark.django_db(transaction=True)
def test_record_refuses_to_run_outside_a_transaction(org, admin):
    with pytest.raises(RuntimeError):
        record(organisation=org, actor=admin, action="test.created", object_type="x", object_id="1")


def test_events_cannot_be_saved_twice(events):
    with pytest.raises(ValueError):
        events[0].save()


def test_an_altered_event_is_detected(org, events):
    AuditEvent.objects.filter(pk=events[2].pk).update(after={"n": 999})
    report = verify_chain(org)
    assert not report.ok
    assert f"event #{events[2].seq}" in report.error and "altered" in report.error


def test_a_removed_event_is_detected(org, events):
    AuditEvent.objects.filter(pk=events[1].pk).delete()
    report = verify_chain(org)
    assert not report.ok and f"event #{events[1].seq} is missing" in report.error


def test_removing_the_newest_events_is_detected(org, events):
    AuditEvent.objects.filter(pk=events[-1].pk).delete()
    report = verify_chain(org)
    assert not report.ok and "missing" in report.error


def test_a_rehashed_forgery_is_detected_by_the_next_link(org, events):
    forged = AuditEvent.objects.get(pk=events[2].pk)
    forged.after = {"n": 999}
    forged.hash = forged.compute_hash()
    forged.save(_allow_update=True)
    report = verify_chain(org)
    assert not report.ok and f"event #{events[3].seq}" in report.error


def test_command_passes_on_an_intact_chain(org, events, capsys):
    call_command("verify_audit_log")
    assert "chain intact" in capsys.readouterr().out


def test_command_exits_non_zero_and_names_the_broken_event(org, events, capsys):
    AuditEvent.objects.filter(pk=events[3].pk).update(actor_label="mallory")
    with pytest.raises(CommandError):
        call_command("verify_audit_log")
    assert f"event #{events[3].seq} (id {events[3].pk}) was altered" in capsys.readouterr().err


def test_command_exit_code_from_the_shell(org, events):
    """The command as an operator runs it: a non-zero exit status on a broken chain."""
    from django.core.management import ManagementUtility

    AuditEvent.objects.filter(pk=events[0].pk).update(action="test.forged")
    with pytest.raises(SystemExit) as exit_info:
        ManagementUtility(["manage.py", "verify_audit_log"]).execute()
    assert exit_info.value.code == 1


def test_command_can_anchor_intact_chains_in_checkpoints(org, events, capsys):
    from audit import checkpoints

    call_command("verify_audit_log", "--checkpoint")
    assert f"checkpoint written at #{len(events)}" in capsys.readouterr().out
    assert checkpoints.latest(org).seq == len(events)


def test_record_many_appends_a_valid_chain_with_one_lock(org, admin, django_assert_max_num_queries):
    systems = [AISystemFactory(organisation=org, name=f"Many {i}") for i in range(5)]
    with transaction.atomic():
        record(organisation=org, actor=admin, action="test.first", obj=systems[0])
        with django_assert_max_num_queries(4):  # lock the head, insert the events, write the head
            changes = [(s, {"n": i}) for i, s in enumerate(systems)]
            events = record_many(organisation=org, actor=admin, action="test.many", changes=changes)
    assert [e.seq for e in events] == [2, 3, 4, 5, 6]
    assert verify_chain(org).ok

"""The keyed chain and its checkpoints against someone who can write the database (issue 9, #2, #3).

Each test plays one tampering scenario with plain SQL-level writes (queryset update/delete), the
way a person with the database credentials but without the HMAC key would.
"""

import hashlib
import importlib
import json

import pytest
from django.apps import apps
from django.db import transaction
from django.utils import timezone

from audit import checkpoints, keys
from audit.models import GENESIS_HASH, AuditEvent, ChainHead
from audit.services import checkpoint_chain, record, verify_chain
from tests.factories import AISystemFactory, OrganisationFactory

KEY_A = "a" * 40
KEY_B = "b" * 40


@pytest.fixture
def keyed(settings):
    settings.AUDIT_HMAC_KEYS = f"k1:{KEY_A}"
    return settings


@pytest.fixture
def system(org):
    return AISystemFactory(organisation=org)


def add_events(org, actor, system, n=5, start=0):
    with transaction.atomic():
        return [
            record(organisation=org, actor=actor, action="test.changed", obj=system, after={"n": i})
            for i in range(start, start + n)
        ]


def forge_without_key(org, from_seq, after):
    """What an attacker without the key does: change an event, recompute every later hash (plain
    SHA-256, as the old chain did, marking them unkeyed) and move the head."""
    events = list(AuditEvent.objects.filter(organisation=org).order_by("seq"))
    prev = events[from_seq - 2].hash if from_seq > 1 else GENESIS_HASH
    for event in events[from_seq - 1 :]:
        if event.seq == from_seq:
            event.after = after
        event.prev_hash, event.key_id = prev, ""
        event.hash = hashlib.sha256(
            json.dumps(event.payload(), sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
        ).hexdigest()
        event.save(_allow_update=True)
        prev = event.hash
    ChainHead.objects.filter(organisation=org).update(seq=events[-1].seq, hash=prev)


def rewind(org, to_seq):
    AuditEvent.objects.filter(organisation=org, seq__gt=to_seq).delete()
    last = AuditEvent.objects.get(organisation=org, seq=to_seq)
    ChainHead.objects.filter(organisation=org).update(seq=to_seq, hash=last.hash)


# --- #2: the head is read before the walk ---------------------------------------------------


def test_events_written_during_a_check_are_not_reported_missing(org, admin, system):
    add_events(org, admin, system, n=4)
    written = []

    def busy_organisation(checked, total):
        if checked == 1 and not written:  # another user saves while the check walks
            written.extend(add_events(org, admin, system, n=2, start=100))

    report = verify_chain(org, progress=busy_organisation, every=1)
    assert report.ok, report.error
    assert report.events_checked == 4 and report.head_seq == 4
    assert verify_chain(org).events_checked == 6


# --- #3: keyed events -------------------------------------------------------------------------


def test_events_are_sealed_with_the_current_key(keyed, org, admin, system):
    events = add_events(org, admin, system, n=2)
    assert {e.key_id for e in events} == {"k1"}
    assert events[0].hash == keys.mac("k1", json.dumps(events[0].payload(), sort_keys=True, separators=(",", ":")))
    assert verify_chain(org).ok


def test_without_a_dedicated_key_the_key_is_derived_from_secret_key(org, admin, system, settings):
    event = add_events(org, admin, system, n=1)[0]
    assert event.key_id == keys.derived(settings.SECRET_KEY)[0] and event.key_id.startswith("sk-")
    assert verify_chain(org).ok


def test_recomputing_the_chain_without_the_key_is_detected(keyed, org, admin, system):
    add_events(org, admin, system)
    forge_without_key(org, 3, {"n": 999})
    report = verify_chain(org)
    assert not report.ok and "event #3" in report.error and "unkeyed after keyed" in report.error


def test_recomputing_the_whole_chain_without_the_key_is_detected(keyed, org, admin, system):
    add_events(org, admin, system)
    forge_without_key(org, 1, {"n": 999})
    report = verify_chain(org)
    assert not report.ok and "not keyed" in report.error


def test_rehashing_with_a_guessed_key_is_detected(keyed, org, admin, system):
    add_events(org, admin, system)
    keyed.AUDIT_HMAC_KEYS = f"k1:{KEY_B}"  # the attacker's key under the same id
    forged = AuditEvent.objects.get(organisation=org, seq=5)
    forged.after = {"n": 999}
    forged.hash = forged.compute_hash()
    forged.save(_allow_update=True)
    ChainHead.objects.filter(organisation=org).update(hash=forged.hash)
    keyed.AUDIT_HMAC_KEYS = f"k1:{KEY_A}"
    report = verify_chain(org)
    assert not report.ok and "event #5" in report.error and "altered" in report.error


def test_rotated_keys_still_verify_what_they_sealed(keyed, org, admin, system):
    add_events(org, admin, system, n=2)
    keyed.AUDIT_HMAC_KEYS = f"k2:{KEY_B},k1:{KEY_A}"
    later = add_events(org, admin, system, n=2, start=2)
    assert {e.key_id for e in later} == {"k2"}
    assert verify_chain(org).ok
    keyed.AUDIT_HMAC_KEYS = f"k2:{KEY_B}"  # the old key was dropped too early
    report = verify_chain(org)
    assert not report.ok and "key 'k1', which is not configured" in report.error


def test_bad_key_settings_are_refused(settings):
    for bad in ["k1", "k1:short", f"sk-1:{KEY_A}", f"k1:{KEY_A},k1:{KEY_B}", f"bad id:{KEY_A}"]:
        settings.AUDIT_HMAC_KEYS = bad
        with pytest.raises(keys.ImproperlyConfigured):
            keys.keyring()


def test_keys_can_come_from_a_file(settings, tmp_path):
    key_file = tmp_path / "audit-keys"
    key_file.write_text(f"# rotated 2026-11\nk2:{KEY_B}\nk1:{KEY_A}\n")
    settings.AUDIT_HMAC_KEY_FILE = str(key_file)
    ring = keys.keyring()
    assert ring.current == "k2" and ring.dedicated and {"k1", "k2"} <= set(ring.keys)


# --- Legacy (unkeyed) events written before the upgrade ------------------------------------------


def write_legacy_chain(org, n):
    prev = GENESIS_HASH
    for seq in range(1, n + 1):
        event = AuditEvent(
            organisation=org,
            seq=seq,
            actor_label="system",
            action="test.legacy",
            object_type="x",
            object_id=str(seq),
            object_repr="legacy",
            created_at=timezone.now(),
            prev_hash=prev,
            key_id="",
        )
        event.hash = event.compute_hash()
        event.save()
        prev = event.hash
    ChainHead.objects.create(organisation=org, seq=n, hash=prev)


def test_the_migration_seals_legacy_chains_which_then_verify(keyed, org, admin, system):
    write_legacy_chain(org, 3)
    assert not verify_chain(org).ok  # an all-legacy chain looks like a forgery until sealed
    migration = importlib.import_module("audit.migrations.0002_keyed_chain_and_verification_lease")
    migration.seal_legacy_chains(apps, None)
    seal = AuditEvent.objects.get(organisation=org, seq=4)
    assert seal.action == "audit.chain.keyed" and seal.key_id == "k1"
    add_events(org, admin, system, n=1)
    report = verify_chain(org)
    assert report.ok and report.events_checked == 5


# --- Checkpoints outside the database -----------------------------------------------------


def test_a_passing_check_writes_a_signed_checkpoint(keyed, org, admin, system, audit_checkpoint_dir):
    add_events(org, admin, system, n=3)
    checkpoint = checkpoint_chain(verify_chain(org))
    assert (checkpoint.seq, checkpoint.key_id) == (3, "k1")
    assert checkpoint.hash == ChainHead.objects.get(organisation=org).hash
    assert checkpoints.latest(org) == checkpoint
    assert checkpoint_chain(verify_chain(org)) is None  # the head has not moved: nothing new
    line = json.loads((audit_checkpoint_dir / f"org-{org.pk}.jsonl").read_text())
    assert line["seq"] == 3 and line["signature"]


def test_deleting_the_newest_events_and_rewinding_the_head_is_detected(keyed, org, admin, system):
    add_events(org, admin, system, n=5)
    checkpoint_chain(verify_chain(org))
    rewind(org, 3)
    report = verify_chain(org)
    assert not report.ok and "ends at #3" in report.error and "saw #5" in report.error


def test_deleting_all_events_and_the_head_is_detected(keyed, org, admin, system):
    add_events(org, admin, system, n=5)
    checkpoint_chain(verify_chain(org))
    AuditEvent.objects.filter(organisation=org).delete()
    ChainHead.objects.filter(organisation=org).delete()
    report = verify_chain(org)
    assert not report.ok and "ends at #0" in report.error


def test_rewriting_with_the_key_before_a_checkpoint_is_detected(keyed, org, admin, system):
    add_events(org, admin, system, n=3)
    checkpoint_chain(verify_chain(org))
    # Someone with the key and the database rewrites event 2 and everything after it.
    events = list(AuditEvent.objects.filter(organisation=org).order_by("seq"))
    prev = events[0].hash
    for event in events[1:]:
        if event.seq == 2:
            event.after = {"n": 999}
        event.prev_hash = prev
        event.hash = event.compute_hash()
        event.save(_allow_update=True)
        prev = event.hash
    ChainHead.objects.filter(organisation=org).update(hash=prev)
    report = verify_chain(org)
    assert not report.ok and "differs from the checkpoint" in report.error


def test_an_altered_checkpoint_file_is_detected(keyed, org, admin, system):
    add_events(org, admin, system, n=3)
    checkpoint_chain(verify_chain(org))
    path = checkpoints.path_for(org)
    path.write_text(path.read_text().replace('"seq":3', '"seq":2'))
    report = verify_chain(org)
    assert not report.ok and "wrong signature" in report.error


def test_a_checkpoint_of_another_organisation_is_refused(keyed, org, admin, system):
    other = OrganisationFactory()
    add_events(other, admin, system, n=1)
    checkpoint_chain(verify_chain(other))
    checkpoints.path_for(org).write_text(checkpoints.path_for(other).read_text())
    report = verify_chain(org)
    assert not report.ok and "another organisation" in report.error


def test_the_chain_may_grow_past_its_checkpoint(keyed, org, admin, system):
    add_events(org, admin, system, n=2)
    checkpoint_chain(verify_chain(org))
    add_events(org, admin, system, n=2, start=2)
    assert verify_chain(org).ok

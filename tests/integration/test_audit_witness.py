"""Rows cut from the end of the audit chain are found: the head is witnessed outside the database.

Each attack uses only what an insider has: the registry key (every role holds it) for raw SQL on
the database, and a text editor on the files beside it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from hrclinic.domain.audit import AuditAction
from hrclinic.services import clients, notes
from hrclinic.services.clinic import UnlockedClinic, lock
from hrclinic.services.verify import verify_clinic
from hrclinic.services.witness import UNREADABLE_ANCHORS, save_anchor
from hrclinic.store.engine import open_sqlcipher
from hrclinic.vault.anchor import SignedAnchor
from tests.conftest import CLINICIAN, FAST_KDF, FRONT_DESK, OWNER, ClinicFixture


def _raw(clinic_dir: ClinicFixture, registry_key: bytes, *statements: str) -> None:
    """What a front-desk insider does with the registry key and the sqlcipher3 shell."""
    conn = open_sqlcipher(clinic_dir.data_dir / "clinic.db", registry_key)
    try:
        for statement in statements:
            conn.execute(statement)
        conn.commit()
    finally:
        conn.close()


def _registry_key(clinic_dir: ClinicFixture) -> bytes:
    desk = clinic_dir.login(FRONT_DESK)
    key = desk.keys.registry_key
    lock(desk)
    return key


def _last_seq(clinic: UnlockedClinic) -> int:
    with clinic.engine.connect() as conn:
        return int(conn.execute(text("SELECT max(seq) FROM audit_events")).scalar_one())


def _clinician_session(clinic_dir: ClinicFixture) -> int:
    """A clinician registers people and writes, then locks: returns the newest row their session saw."""
    clinician = clinic_dir.login(CLINICIAN)
    person = clients.register_client(clinician, "Zoë Witness")
    notes.write_clinical_note(clinician, person.id, "A note that happened.")
    seen = _last_seq(clinician)
    lock(clinician)
    return seen


def _verify(clinic_dir: ClinicFixture, who: tuple[str, str], **kwargs: object) -> list[str]:
    report = verify_clinic(clinic_dir.data_dir, who[0], who[1], kdf=FAST_KDF, **kwargs)  # type: ignore[arg-type]
    return [p for p in report.problems if "Argon2id parameters" not in p]  # the tests' fast key rings


def _cut_from(seq: int) -> tuple[str, ...]:
    """Delete rows from ``seq`` on and move the head back so the chain is sound in itself."""
    return (
        f"DELETE FROM audit_events WHERE seq >= {seq}",
        "UPDATE audit_head SET seq = (SELECT max(seq) FROM audit_events), "
        "row_hash = (SELECT row_hash FROM audit_events WHERE seq = (SELECT max(seq) FROM audit_events))",
    )


def test_an_honest_clinic_has_no_witness_problems(clinic_dir: ClinicFixture) -> None:
    _clinician_session(clinic_dir)
    again = clinic_dir.login(CLINICIAN)
    assert again.audit_alerts == []
    lock(again)
    assert _verify(clinic_dir, OWNER) == []
    assert _verify(clinic_dir, CLINICIAN) == []


def test_rows_cut_from_the_end_with_the_head_moved_back_are_found(clinic_dir: ClinicFixture) -> None:
    key = _registry_key(clinic_dir)
    seen = _clinician_session(clinic_dir)
    _raw(clinic_dir, key, *_cut_from(seen - 3))

    clinician = clinic_dir.login(CLINICIAN)  # log-in compares with the ring's own witness
    assert clinician.audit_alerts and f"rows {seen - 3}.." in clinician.audit_alerts[0]
    with clinician.uow() as uow:
        actions = [r[0] for r in uow.session.execute(text("SELECT action FROM audit_events ORDER BY seq"))]
    assert AuditAction.AUDIT_CUT_DETECTED in actions
    lock(clinician)

    problems = _verify(clinic_dir, OWNER)  # the owner never saw those rows: the clinician's anchor did
    # the clinician's anchor moved on at their log-in, but the cut they found stays a problem
    assert any("'therapist' found the audit chain cut" in p for p in problems)


def test_deleting_the_whole_audit_table_and_its_head_is_found(clinic_dir: ClinicFixture) -> None:
    key = _registry_key(clinic_dir)
    seen = _clinician_session(clinic_dir)
    _raw(clinic_dir, key, "DELETE FROM audit_events", "DELETE FROM audit_head")
    problems = _verify(clinic_dir, CLINICIAN)
    assert any(f"audit rows 1..{seen}" in p or "removed from the end" in p for p in problems)


def test_a_rewritten_row_at_the_witnessed_place_is_found(clinic_dir: ClinicFixture) -> None:
    key = _registry_key(clinic_dir)
    _clinician_session(clinic_dir)
    anchored = json.loads((clinic_dir.data_dir / "keyring.json").read_text())["anchors"]
    seq = max(a["seq"] for a in anchored.values())
    _raw(clinic_dir, key, f"UPDATE audit_events SET row_hash = zeroblob(32) WHERE seq = {seq}")
    problems = _verify(clinic_dir, OWNER)
    assert any(f"audit row {seq} is not the row" in p for p in problems)


def test_an_anchor_edited_in_the_key_ring_file_is_not_believed(clinic_dir: ClinicFixture) -> None:
    _clinician_session(clinic_dir)
    path = clinic_dir.data_dir / "keyring.json"
    data = json.loads(path.read_text())
    anchor = next(iter(data["anchors"].values()))
    anchor["seq"] += 1000  # a false alarm planted by someone with a text editor
    path.write_text(json.dumps(data))
    problems = _verify(clinic_dir, OWNER)
    assert any("not signed by a key the audit chain trusts" in p for p in problems)
    assert not any("removed from the end" in p for p in problems)


def test_a_damaged_anchor_never_stops_anyone_logging_in(clinic_dir: ClinicFixture) -> None:
    _clinician_session(clinic_dir)
    path = clinic_dir.data_dir / "keyring.json"
    data = json.loads(path.read_text())
    data["anchors"]["not-a-user"] = {"format": "junk"}
    path.write_text(json.dumps(data))
    assert any("unreadable audit anchor" in p for p in _verify(clinic_dir, CLINICIAN))
    owner = clinic_dir.login(OWNER)  # logs in all the same, told what was set aside
    assert owner.audit_alerts == [UNREADABLE_ANCHORS.format(n=1)]
    lock(owner)
    assert _verify(clinic_dir, OWNER) == []  # the clinic's own anchors still check out


def test_a_saved_anchor_file_finds_a_cut_that_every_ring_missed(
    clinic_dir: ClinicFixture, tmp_path: Path
) -> None:
    key = _registry_key(clinic_dir)
    out = tmp_path / "anchor.json"
    anchor = save_anchor(clinic_dir.data_dir, OWNER[0], OWNER[1], out)
    assert SignedAnchor.from_text(out.read_text()) == anchor
    # the insider cuts the rows and also rolls back every anchor and witness they can reach
    saved_ring = (clinic_dir.data_dir / "keyring.json").read_text()
    _raw(clinic_dir, key, *_cut_from(anchor.seq - 1))
    (clinic_dir.data_dir / "keyring.json").write_text(saved_ring)
    problems = _verify(clinic_dir, OWNER, anchors=[anchor])
    assert any(f"audit rows {anchor.seq - 1}..{anchor.seq} were removed" in p for p in problems)


def test_a_failed_verify_appends_nothing(clinic_dir: ClinicFixture) -> None:
    key = _registry_key(clinic_dir)
    seen = _clinician_session(clinic_dir)
    _raw(clinic_dir, key, *_cut_from(seen - 2))
    conn = open_sqlcipher(clinic_dir.data_dir / "clinic.db", key)
    before = conn.execute("SELECT count(*) FROM audit_events").fetchone()[0]
    conn.close()
    assert _verify(clinic_dir, CLINICIAN)
    conn = open_sqlcipher(clinic_dir.data_dir / "clinic.db", key)
    after = conn.execute("SELECT count(*) FROM audit_events").fetchone()[0]
    conn.close()
    assert after == before


@pytest.mark.slow
def test_the_anchor_command_and_verify_with_it(clinic_dir: ClinicFixture, tmp_path: Path) -> None:
    out = tmp_path / "kept-elsewhere.json"
    env_python = sys.executable
    done = subprocess.run(
        [
            env_python,
            "-m",
            "hrclinic",
            "anchor",
            "--data-dir",
            str(clinic_dir.data_dir),
            "--user",
            OWNER[0],
            "--password-stdin",
            "--out",
            str(out),
        ],
        input=OWNER[1] + "\n",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "Saved an anchor of audit row" in done.stdout
    checked = subprocess.run(
        [
            env_python,
            "-m",
            "hrclinic",
            "verify",
            "--data-dir",
            str(clinic_dir.data_dir),
            "--user",
            OWNER[0],
            "--password-stdin",
            "--anchor",
            str(out),
        ],
        input=OWNER[1] + "\n",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "Argon2id" in checked.stderr or checked.returncode == 0  # the suite's fast key rings
    assert "audit anchor" not in checked.stderr and "were removed" not in checked.stderr
    missing = subprocess.run(
        [
            env_python,
            "-m",
            "hrclinic",
            "anchor",
            "--data-dir",
            str(clinic_dir.data_dir),
            "--user",
            OWNER[0],
            "--password-stdin",
            "--out",
            str(tmp_path / "no" / "such" / "a.json"),
        ],
        input=OWNER[1] + "\n",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert missing.returncode == 1 and "does not exist" in missing.stderr


def test_a_deactivated_colleagues_anchor_is_set_aside(clinic_dir: ClinicFixture) -> None:
    from hrclinic.services import users

    _clinician_session(clinic_dir)
    owner = clinic_dir.login(OWNER)
    therapist = next(u for u in users.list_users(owner) if u.username == CLINICIAN[0])
    users.deactivate_user(owner, therapist.id)
    lock(owner)
    assert str(therapist.id) not in json.loads((clinic_dir.data_dir / "keyring.json").read_text())["anchors"]
    assert _verify(clinic_dir, OWNER) == []


# --- attacks on the witnesses themselves (from the insider review) ---------------------------------


def _end(clinic: UnlockedClinic) -> tuple[int, bytes]:
    with clinic.engine.connect() as conn:
        seq = int(conn.execute(text("SELECT max(seq) FROM audit_events")).scalar_one())
        row_hash = conn.execute(
            text("SELECT row_hash FROM audit_events WHERE seq = :s"), {"s": seq}
        ).scalar_one()
    return seq, bytes(row_hash)


def _put_anchor(clinic_dir: ClinicFixture, anchor: SignedAnchor) -> None:
    path = clinic_dir.data_dir / "keyring.json"
    data = json.loads(path.read_text())
    data["anchors"][str(anchor.user_id)] = anchor.to_json()
    path.write_text(json.dumps(data))


def test_an_anchor_claiming_an_impossible_row_never_stops_a_log_in(clinic_dir: ClinicFixture) -> None:
    from hrclinic.vault.signing import AuditSigner

    desk = clinic_dir.login(FRONT_DESK)
    _, row_hash = _end(desk)
    unsigned = SignedAnchor(desk.clinic_id, desk.actor.user_id, desk.keys.signing_key_id, 0, row_hash, "x")
    anchor = unsigned.to_json() | {"seq": 2**63}
    lock(desk)
    path = clinic_dir.data_dir / "keyring.json"
    data = json.loads(path.read_text())
    data["anchors"][str(desk.actor.user_id)] = anchor
    path.write_text(json.dumps(data))
    assert AuditSigner  # (the signature does not matter: the number alone is refused)
    owner = clinic_dir.login(OWNER)  # logs in; the anchor is set aside as unreadable, and said so
    assert owner.audit_alerts == [UNREADABLE_ANCHORS.format(n=1)]
    lock(owner)
    clinician = clinic_dir.login(CLINICIAN)  # the key ring was written anew without it
    assert clinician.audit_alerts == []
    lock(clinician)


def test_a_colleague_who_signs_a_false_anchor_is_named_by_it(clinic_dir: ClinicFixture) -> None:
    from hrclinic.vault.signing import AuditSigner

    owner = clinic_dir.login(OWNER)
    seq, row_hash = _end(owner)
    lock(owner)
    desk = clinic_dir.login(FRONT_DESK)
    lie = SignedAnchor.sign(AuditSigner.of(desk.keys), desk.clinic_id, seq + 40, row_hash, "2026-11-28T10:00")
    desk_id = desk.actor.user_id
    lock(desk)
    _put_anchor(clinic_dir, lie)
    owner = clinic_dir.login(OWNER)
    assert owner.audit_alerts  # a cut (or a lie): the owner is told either way
    with owner.uow() as uow:
        details = uow.session.execute(
            text("SELECT details FROM audit_events WHERE action = 'audit.cut_detected'")
        ).scalar_one()
    assert str(desk_id) in json.loads(details)["claimed_by"]
    lock(owner)
    problems = _verify(clinic_dir, OWNER)
    assert any("witnessed by 'frontdesk'" in p for p in problems), problems


def test_an_anchor_signed_with_a_key_planted_in_the_users_table_is_not_believed(
    clinic_dir: ClinicFixture,
) -> None:
    import uuid

    from hrclinic.vault.primitives import ed25519_public
    from hrclinic.vault.signing import AuditSigner

    owner = clinic_dir.login(OWNER)
    owner_id, (seq, row_hash) = owner.actor.user_id, _end(owner)
    lock(owner)
    desk = clinic_dir.login(FRONT_DESK)
    fake_key = uuid.uuid4()
    _raw(
        clinic_dir,
        desk.keys.registry_key,
        "INSERT INTO user_signing_keys (id, user_id, public_key, created_at) VALUES "
        f"('{fake_key.hex}', '{owner_id.hex}', x'{ed25519_public(desk.keys.signing_private).hex()}', "
        "'2026-01-01 00:00:00')",
    )
    forged = SignedAnchor.sign(
        AuditSigner(owner_id, fake_key, desk.keys.signing_private), desk.clinic_id, seq + 25, row_hash, "x"
    )
    lock(desk)
    _put_anchor(clinic_dir, forged)
    clinician = clinic_dir.login(CLINICIAN)
    assert not any("removed" in a for a in clinician.audit_alerts)
    assert any("not signed by a key the audit chain trusts" in a for a in clinician.audit_alerts)
    with clinician.uow() as uow:
        cuts = uow.session.execute(
            text("SELECT count(*) FROM audit_events WHERE action = 'audit.cut_detected'")
        ).scalar_one()
    assert cuts == 0
    lock(clinician)


@pytest.mark.timeout(60, method="thread")
def test_a_fifo_named_like_the_failed_log_in_file_never_hangs_a_log_in(clinic_dir: ClinicFixture) -> None:
    import os

    path = clinic_dir.data_dir / "failed-logins.jsonl"
    path.unlink(missing_ok=True)
    os.mkfifo(path)
    owner = clinic_dir.login(OWNER)  # returns: the FIFO is not read
    assert owner.actor.username == OWNER[0]
    lock(owner)

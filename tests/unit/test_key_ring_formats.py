"""Key rings serialised by earlier versions still open (the clinics in tests/fixtures/clinics use them)."""

from __future__ import annotations

import json
import uuid

from hrclinic.domain.roles import Role
from hrclinic.vault.keys import ClinicKeys, KeySet
from hrclinic.vault.recovery import RecoveryKey


def _ring_without_personal_key() -> tuple[KeySet, bytes]:
    recovery = RecoveryKey.generate()
    clinic = ClinicKeys.generate(recovery.escrow_public_key(), recovery.signing_public_key())
    keys, _ = KeySet.for_role(uuid.uuid4(), Role.CLINICIAN, clinic)
    raw = json.loads(keys.to_bytes())
    del raw["personal"]  # as schema 0002 wrote it: personal (drafts) keys came with schema 0003
    return keys, json.dumps(raw).encode()


def test_a_ring_from_before_personal_keys_gets_the_same_personal_key_every_time() -> None:
    keys, old = _ring_without_personal_key()
    first, second = KeySet.from_bytes(old), KeySet.from_bytes(old)
    # the password wrap and the computer-log-in wrap of one ring must agree, or a draft kept at one
    # log-in would not open at the other
    assert (first.personal_id, first.personal) == (second.personal_id, second.personal)
    assert len(first.personal) == 32 and first.personal not in (keys.signing_private, keys.registry_key)
    assert first.clinical == keys.clinical and first.signing_private == keys.signing_private
    # once re-wrapped, the key is stored like any other
    stored = json.loads(first.to_bytes())["personal"]
    assert stored["id"] == str(first.personal_id)
    assert KeySet.from_bytes(first.to_bytes()).personal == first.personal


def test_two_old_rings_get_different_personal_keys() -> None:
    a = KeySet.from_bytes(_ring_without_personal_key()[1])
    b = KeySet.from_bytes(_ring_without_personal_key()[1])
    assert a.personal != b.personal and a.personal_id != b.personal_id

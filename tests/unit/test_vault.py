"""Key rings, wrapping, sealing, deposits, private vaults and the recovery key (no database)."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from hrclinic.domain.roles import Role
from hrclinic.domain.vaults import VaultKind, field_context
from hrclinic.errors import (
    KeyRingDamaged,
    SealedValueInvalid,
    SealedValueLocked,
    ValidationError,
    WrongCredentials,
)
from hrclinic.vault.keyring_file import KeyRingFile, UserEntry
from hrclinic.vault.keys import ClinicKeys, KeySet
from hrclinic.vault.primitives import DEFAULT_KDF, KdfParams, ed25519_public
from hrclinic.vault.recovery import RecoveryKey
from hrclinic.vault.ring import (
    escrow_clinic_keys,
    escrow_private_keys,
    recover_keys,
    unwrap_with_password,
    wrap_with_password,
)
from hrclinic.vault.sealing import VaultSealer

FAST = KdfParams(memory_kib=1024, iterations=1, lanes=1)
CLINIC_ID = uuid.uuid4()


RECOVERY = RecoveryKey.generate()


def _new_clinic(recovery: RecoveryKey = RECOVERY) -> ClinicKeys:
    return ClinicKeys.generate(recovery.escrow_public_key(), recovery.signing_public_key())


def _ring_for(role: Role, clinic: ClinicKeys | None = None) -> KeySet:
    keys, _public = KeySet.for_role(uuid.uuid4(), role, clinic or _new_clinic())
    return keys


def _entry(keys: KeySet, password: str, kdf: KdfParams = FAST) -> UserEntry:
    return UserEntry(keys.user_id, "someone", wrap_with_password(CLINIC_ID, keys, password, kdf))


def _sealer(keys: KeySet, clinic: ClinicKeys, *trusted: KeySet) -> VaultSealer:
    """``keys``' sealer; a deposit opens when signed by one of ``trusted`` (the audit chain's keys)."""
    assert keys.anchors == clinic.anchors
    return VaultSealer(keys, _signers(*trusted))


def _signers(*rings: KeySet) -> dict[uuid.UUID, tuple[uuid.UUID, bytes]]:
    return {r.signing_key_id: (r.user_id, ed25519_public(r.signing_private)) for r in rings}


def test_wrap_and_unwrap_round_trip() -> None:
    keys = _ring_for(Role.CLINICIAN)
    opened = unwrap_with_password(CLINIC_ID, _entry(keys, "a good pass phrase"), "a good pass phrase")
    assert opened == keys


def test_wrong_password_is_refused_with_a_clear_message() -> None:
    entry = _entry(_ring_for(Role.OWNER), "a good pass phrase")
    with pytest.raises(WrongCredentials, match="user name or password is not right"):
        unwrap_with_password(CLINIC_ID, entry, "a good pass phrasE")


def test_tampered_wrapped_ring_does_not_open() -> None:
    entry = _entry(_ring_for(Role.OWNER), "a good pass phrase")
    flipped = bytearray(entry.password.ciphertext)
    flipped[10] ^= 0x01
    entry.password = type(entry.password)(
        nonce=entry.password.nonce,
        ciphertext=bytes(flipped),
        kdf=entry.password.kdf,
        salt=entry.password.salt,
    )
    with pytest.raises(WrongCredentials):
        unwrap_with_password(CLINIC_ID, entry, "a good pass phrase")


def test_a_ring_wrapped_for_one_clinic_or_user_does_not_open_as_another() -> None:
    keys = _ring_for(Role.OWNER)
    entry = _entry(keys, "a good pass phrase")
    with pytest.raises(WrongCredentials):
        unwrap_with_password(uuid.uuid4(), entry, "a good pass phrase")
    moved = UserEntry(uuid.uuid4(), "other", entry.password)
    with pytest.raises(WrongCredentials):
        unwrap_with_password(CLINIC_ID, moved, "a good pass phrase")


def test_argon2_parameters_are_stored_with_the_wrap_and_honoured(tmp_path: Path) -> None:
    keys = _ring_for(Role.OWNER)
    ring = KeyRingFile(clinic_id=CLINIC_ID, recovery_public=RecoveryKey.generate().escrow_public_key())
    ring.users["someone"] = _entry(
        keys, "a good pass phrase", KdfParams(memory_kib=2048, iterations=2, lanes=2)
    )
    path = tmp_path / "keyring.json"
    ring.save(path)
    stored = json.loads(path.read_text())["users"]["someone"]["password"]["kdf"]
    assert (stored["alg"], stored["memory_kib"], stored["iterations"], stored["lanes"]) == (
        "argon2id",
        2048,
        2,
        2,
    )
    # the stored parameters are the ones used: the ring opens after a reload...
    reloaded = KeyRingFile.load(path)
    assert unwrap_with_password(CLINIC_ID, reloaded.users["someone"], "a good pass phrase") == keys
    # ...and changing them in the file makes the same password fail
    data = json.loads(path.read_text())
    data["users"]["someone"]["password"]["kdf"]["iterations"] = 3
    path.write_text(json.dumps(data))
    with pytest.raises(WrongCredentials):
        unwrap_with_password(CLINIC_ID, KeyRingFile.load(path).users["someone"], "a good pass phrase")


def test_default_parameters_are_at_least_64_mib_and_three_passes() -> None:
    assert DEFAULT_KDF.memory_kib >= 64 * 1024 and DEFAULT_KDF.iterations >= 3


def test_front_desk_ring_holds_no_clinical_key_but_can_deposit() -> None:
    clinic = _new_clinic()
    desk = _ring_for(Role.FRONT_DESK, clinic)
    clinician = _ring_for(Role.CLINICIAN, clinic)
    assert desk.clinical == {} and desk.deposit == {} and desk.private == {}
    assert not desk.holds_clinical
    assert set(clinician.clinical) == set(clinic.clinical)
    context = field_context("intake", "answers", "row-1")
    blob = _sealer(desk, clinic).seal(
        b"uses alone; no naloxone",
        vault=VaultKind.CLINICAL,
        context=context,
        deposit=True,
        author=desk.user_id,
    )
    assert blob[0] == 0x05
    with pytest.raises(SealedValueLocked, match="clinical"):
        _sealer(desk, clinic, desk).open(
            blob, vault=VaultKind.CLINICAL, context=context, deposit=True, author=desk.user_id
        )
    assert _sealer(clinician, clinic, desk).open(
        blob, vault=VaultKind.CLINICAL, context=context, deposit=True, author=desk.user_id
    ) == (b"uses alone; no naloxone")


def test_front_desk_cannot_seal_clinical_values_without_deposit() -> None:
    clinic = _new_clinic()
    with pytest.raises(SealedValueLocked):
        _sealer(_ring_for(Role.FRONT_DESK, clinic), clinic).seal(b"x", vault=VaultKind.CLINICAL, context=b"c")


def test_sealing_uses_a_fresh_nonce_every_time() -> None:
    clinic = _new_clinic()
    sealer = _sealer(_ring_for(Role.CLINICIAN, clinic), clinic)
    first = sealer.seal(b"same text", vault=VaultKind.CLINICAL, context=b"c")
    second = sealer.seal(b"same text", vault=VaultKind.CLINICAL, context=b"c")
    assert first != second


@pytest.mark.parametrize("deposit", [False, True])
def test_a_value_moved_to_another_row_or_column_fails_to_open(deposit: bool) -> None:
    clinic = _new_clinic()
    writer = _ring_for(Role.FRONT_DESK if deposit else Role.CLINICIAN, clinic)
    reader = _sealer(_ring_for(Role.CLINICIAN, clinic), clinic, writer)
    context = field_context("notes", "body", "row-1")
    blob = _sealer(writer, clinic).seal(
        b"secret", vault=VaultKind.CLINICAL, context=context, deposit=deposit, author=writer.user_id
    )
    assert reader.open(
        blob, vault=VaultKind.CLINICAL, context=context, deposit=deposit, author=writer.user_id
    )
    for other in (
        field_context("notes", "body", "row-2"),
        field_context("notes", "summary", "row-1"),
        field_context("flags", "body", "row-1"),
    ):
        # a signed deposit's signature covers its context: moved, it fails before being opened
        with pytest.raises(SealedValueInvalid, match=r"does not belong to this record or field|signature"):
            reader.open(blob, vault=VaultKind.CLINICAL, context=other, deposit=deposit, author=writer.user_id)


def test_tampered_sealed_value_fails_to_open() -> None:
    clinic = _new_clinic()
    sealer = _sealer(_ring_for(Role.CLINICIAN, clinic), clinic)
    blob = bytearray(sealer.seal(b"secret", vault=VaultKind.CLINICAL, context=b"c"))
    blob[-1] ^= 0x80
    with pytest.raises(SealedValueInvalid):
        sealer.open(bytes(blob), vault=VaultKind.CLINICAL, context=b"c")
    with pytest.raises(SealedValueInvalid, match="damaged"):
        sealer.open(b"\x01short", vault=VaultKind.CLINICAL, context=b"c")


def test_private_vault_is_readable_by_its_author_only() -> None:
    clinic = _new_clinic()
    author, colleague, owner = (_ring_for(r, clinic) for r in (Role.CLINICIAN, Role.CLINICIAN, Role.OWNER))
    context = field_context("private_notes", "body", "n1")
    blob = _sealer(author, clinic).seal(b"process note", vault=VaultKind.PRIVATE, context=context)
    assert _sealer(author, clinic).open(blob, vault=VaultKind.PRIVATE, context=context) == b"process note"
    for other in (colleague, owner):
        with pytest.raises(SealedValueLocked, match="only its author"):
            _sealer(other, clinic).open(blob, vault=VaultKind.PRIVATE, context=context)


def test_recovery_key_text_round_trips_and_catches_typos() -> None:
    key = RecoveryKey.generate()
    text = key.text
    assert len(text.split("-")) == 11
    assert RecoveryKey.parse(text) == key
    assert RecoveryKey.parse(" " + text.lower().replace("-", " ") + "\n") == key
    typo = ("B" if text[0] != "B" else "C") + text[1:]
    with pytest.raises(ValidationError, match="typing mistake"):
        RecoveryKey.parse(typo)
    with pytest.raises(ValidationError, match="has 55"):
        RecoveryKey.parse(text[:-3])


def test_the_recovery_key_opens_every_escrowed_key_and_nothing_else_does() -> None:
    recovery = RecoveryKey.generate()
    clinic = _new_clinic(recovery)
    ring = KeyRingFile(clinic_id=CLINIC_ID, recovery_public=recovery.escrow_public_key())
    escrow_clinic_keys(ring, clinic)
    clinician = _ring_for(Role.CLINICIAN, clinic)
    escrow_private_keys(ring, clinician)
    recovered = recover_keys(ring, recovery)
    assert recovered.clinic.registry_key == clinic.registry_key
    assert recovered.clinic.clinical == clinic.clinical
    assert recovered.clinic.deposit == clinic.deposit
    assert recovered.private[clinician.user_id] == clinician.private
    with pytest.raises(WrongCredentials, match="does not belong to this clinic"):
        recover_keys(ring, RecoveryKey.generate())


def test_a_damaged_key_ring_file_gives_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "keyring.json"
    for content in (
        "",
        "{not json",
        json.dumps({"format": "something else"}),
        json.dumps({"format": "hrclinic-keyring", "version": 1, "clinic_id": "nope"}),
    ):
        path.write_text(content)
        with pytest.raises(KeyRingDamaged, match="damaged"):
            KeyRingFile.load(path)
    path.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(KeyRingDamaged):
        KeyRingFile.load(path)
    with pytest.raises(KeyRingDamaged, match="missing"):
        KeyRingFile.load(tmp_path / "absent.json")


def test_a_deposit_opens_only_in_a_field_that_accepts_deposits() -> None:
    """Anyone can make a deposit with the public key; it must not pass for a clinician's writing."""
    clinic = _new_clinic()
    desk, clinician = _ring_for(Role.FRONT_DESK, clinic), _ring_for(Role.CLINICIAN, clinic)
    context = field_context("clinical_notes", "body", "n1")
    forged = _sealer(desk, clinic).seal(
        b"planted", vault=VaultKind.CLINICAL, context=context, deposit=True, author=desk.user_id
    )
    with pytest.raises(SealedValueInvalid, match="only clinicians may write"):
        _sealer(clinician, clinic, desk).open(forged, vault=VaultKind.CLINICAL, context=context)
    assert _sealer(clinician, clinic, desk).open(
        forged, vault=VaultKind.CLINICAL, context=context, deposit=True, author=desk.user_id
    ) == (b"planted")


def test_a_value_sealed_for_one_vault_does_not_open_as_another() -> None:
    clinic = _new_clinic()
    clinician = _ring_for(Role.CLINICIAN, clinic)
    clinician.private[clinician.clinical_current] = clinician.clinical[
        clinician.clinical_current
    ]  # same bytes
    sealer = _sealer(clinician, clinic)
    blob = sealer.seal(b"x", vault=VaultKind.CLINICAL, context=b"c")
    with pytest.raises(SealedValueInvalid):
        sealer.open(blob, vault=VaultKind.PRIVATE, context=b"c")


def test_escrow_refuses_a_key_ring_file_whose_recovery_key_was_swapped() -> None:
    from hrclinic.vault.ring import escrow_key

    clinic = _new_clinic()
    ring = KeyRingFile(clinic_id=CLINIC_ID, recovery_public=RecoveryKey.generate().escrow_public_key())
    with pytest.raises(KeyRingDamaged, match="does not match the one in your key ring"):
        escrow_key(ring, uuid.uuid4(), "private", b"k" * 32, clinic.anchors.recovery_public)
    assert ring.escrow == []


@pytest.mark.parametrize(
    "change",
    [
        {"memory_kib": 2**40},
        {"iterations": 10**9},
        {"lanes": 0},
        {"salt": ""},
    ],
)
def test_out_of_range_kdf_parameters_are_refused_as_damage(tmp_path: Path, change: dict) -> None:
    keys = _ring_for(Role.OWNER)
    ring = KeyRingFile(clinic_id=CLINIC_ID, recovery_public=RECOVERY.escrow_public_key())
    ring.users["someone"] = _entry(keys, "a good pass phrase")
    path = tmp_path / "keyring.json"
    ring.save(path)
    data = json.loads(path.read_text())
    data["users"]["someone"]["password"]["kdf"].update(change)
    path.write_text(json.dumps(data))
    with pytest.raises(KeyRingDamaged, match="damaged"):
        KeyRingFile.load(path)


def test_secrets_do_not_appear_in_reprs() -> None:
    keys = _ring_for(Role.CLINICIAN)
    text = repr(keys) + repr(_new_clinic()) + repr(RECOVERY)
    for secret in (keys.registry_key, keys.signing_private, *keys.clinical.values(), RECOVERY.secret):
        assert secret.hex() not in text and repr(secret) not in text


# --- signed deposits (0x05) and closed legacy formats ----------------------------------------------


def _deposit(desk: KeySet, clinic: ClinicKeys, context: bytes, text: bytes = b"answers") -> bytes:
    return _sealer(desk, clinic).seal(
        text, vault=VaultKind.CLINICAL, context=context, deposit=True, author=desk.user_id
    )


def test_a_signed_deposit_opens_only_signed_by_a_trusted_key_held_by_the_author_the_row_names() -> None:
    clinic = _new_clinic()
    desk, other_desk = _ring_for(Role.FRONT_DESK, clinic), _ring_for(Role.FRONT_DESK, clinic)
    clinician = _ring_for(Role.CLINICIAN, clinic)
    context = field_context("overdose_screenings", "answers", "s1")
    blob = _deposit(desk, clinic, context)

    def opens(reader: VaultSealer, value: bytes, author: uuid.UUID | None) -> bytes:
        return reader.open(value, vault=VaultKind.CLINICAL, context=context, deposit=True, author=author)

    assert opens(_sealer(clinician, clinic, desk, other_desk), blob, desk.user_id) == b"answers"
    with pytest.raises(SealedValueInvalid, match="someone other than"):  # the row names another author
        opens(_sealer(clinician, clinic, desk, other_desk), blob, clinician.user_id)
    with pytest.raises(SealedValueInvalid, match="someone other than"):
        opens(_sealer(clinician, clinic, desk), blob, None)
    with pytest.raises(SealedValueInvalid, match="does not vouch"):  # a key the chain does not trust
        opens(_sealer(clinician, clinic, other_desk), blob, desk.user_id)
    with pytest.raises(SealedValueInvalid, match="does not vouch"):  # no trusted keys handed over
        opens(VaultSealer(clinician), blob, desk.user_id)
    # naming a colleague's key id (so the row's author could be them) breaks the signature
    renamed = blob[:17] + other_desk.signing_key_id.bytes + blob[33:]
    with pytest.raises(SealedValueInvalid, match="does not vouch"):
        opens(_sealer(clinician, clinic, desk, other_desk), renamed, other_desk.user_id)
    for at in (40, 33 + 64 + 5, len(blob) - 1):  # signature, ephemeral key, ciphertext
        altered = bytearray(blob)
        altered[at] ^= 0x01
        with pytest.raises(SealedValueInvalid):
            opens(_sealer(clinician, clinic, desk), bytes(altered), desk.user_id)
    with pytest.raises(SealedValueInvalid, match="damaged"):
        opens(_sealer(clinician, clinic, desk), blob[:120], desk.user_id)


def test_a_deposit_is_sealed_only_as_its_own_author() -> None:
    clinic = _new_clinic()
    desk, clinician = _ring_for(Role.FRONT_DESK, clinic), _ring_for(Role.CLINICIAN, clinic)
    for author in (None, clinician.user_id):
        with pytest.raises(ValueError, match="signed by its author"):
            _sealer(desk, clinic).seal(
                b"x", vault=VaultKind.CLINICAL, context=b"c", deposit=True, author=author
            )


def test_a_closed_ring_refuses_earlier_formats_in_the_clinical_vault_only() -> None:
    from hrclinic.vault.primitives import aead_encrypt, seal_to_public_key

    clinic = _new_clinic()
    clinician = _ring_for(Role.CLINICIAN, clinic)
    context = field_context("clinical_notes", "body", "n1")
    key_id = clinician.clinical_current
    assert key_id is not None

    def vault_blob(fmt: int, vault: VaultKind, key_id: uuid.UUID, key: bytes) -> bytes:
        header = bytes([fmt]) + key_id.bytes
        nonce, ct = aead_encrypt(key, b"old", header + f"{vault.value}|".encode() + context)
        return header + nonce + ct

    def deposit_blob(fmt: int) -> bytes:
        header = bytes([fmt]) + clinic.anchors.deposit_key_id.bytes
        return header + seal_to_public_key(
            clinic.anchors.deposit_public, b"old", header + b"clinical|" + context
        )

    clinical = [vault_blob(0x01, VaultKind.CLINICAL, key_id, clinician.clinical[key_id])]
    clinical += [deposit_blob(0x02), deposit_blob(0x04)]
    personal = vault_blob(0x01, VaultKind.PERSONAL, clinician.personal_id, clinician.personal)
    sealer = _sealer(clinician, clinic)
    for blob in clinical:
        assert sealer.open(blob, vault=VaultKind.CLINICAL, context=context, deposit=True) == b"old"
    clinician.legacy_closed = True
    assert KeySet.from_bytes(clinician.to_bytes()).legacy_closed  # kept inside the wrapped ring
    for blob in clinical:
        with pytest.raises(SealedValueInvalid, match="earlier version"):
            sealer.open(blob, vault=VaultKind.CLINICAL, context=context, deposit=True)
    assert sealer.open(personal, vault=VaultKind.PERSONAL, context=context) == b"old"

"""``hrclinic verify``: is this clinic's data sound?"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from hrclinic.domain.audit import AuditAction
from hrclinic.domain.roles import Role, has_private_vault
from hrclinic.domain.vaults import VaultKind
from hrclinic.errors import DatabaseDamaged
from hrclinic.services.audit import append_event, verify_chain
from hrclinic.services.clinic import UnlockedClinic, unlock
from hrclinic.services.sealed_values import scan_sealed_values
from hrclinic.services.witness import witness_checks, witness_head
from hrclinic.store.inspection import database_health
from hrclinic.store.migrate import head_revision
from hrclinic.store.records import ClinicRecord, UserRecord, UserSigningKeyRecord
from hrclinic.vault.anchor import SignedAnchor
from hrclinic.vault.primitives import DEFAULT_KDF, KdfParams, x25519_public


@dataclass
class VerifyReport:
    """The outcome of every check."""

    audit_rows: int = 0
    users: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def sound(self) -> bool:
        """True when no check found a problem."""
        return not self.problems

    def summary(self) -> str:
        """One line for the command line."""
        if self.sound:
            return (
                f"sound: database integrity, encryption, key ring ({self.users} active "
                f"{'user' if self.users == 1 else 'users'}) "
                f"and audit chain ({self.audit_rows} rows) all check out"
            )
        return f"{len(self.problems)} problem(s) found"


def verify_clinic(
    data_dir: Path,
    username: str,
    password: str,
    *,
    kdf: KdfParams = DEFAULT_KDF,
    anchors: Sequence[SignedAnchor] = (),
) -> VerifyReport:
    """Unlock as ``username`` and run every check; audits the run when the data is sound.

    Nothing is appended to the audit chain before the result is known, and nothing at all when a
    check fails: a row signed onto a chain with problems would vouch for it. A schema upgrade made
    while opening is recorded only with a sound result.
    """
    clinic = unlock(data_dir, username, password, kdf=kdf, audit_login=False)
    try:
        report = check_unlocked(clinic, anchors=anchors)
        if report.sound:
            with clinic.uow() as uow:
                migration = clinic.migration
                if migration.upgraded and migration.from_revision is not None:
                    append_event(
                        uow.session,
                        clinic.signer,
                        AuditAction.DATABASE_UPGRADED,
                        details={
                            "from_revision": migration.from_revision,
                            "to_revision": migration.to_revision,
                        },
                    )
                append_event(
                    uow.session,
                    clinic.signer,
                    AuditAction.VERIFIED,
                    details={"audit_rows": report.audit_rows},
                )
                uow.commit()
            witness_head(clinic)
        return report
    finally:
        clinic.close()


def check_unlocked(
    clinic: UnlockedClinic, *, kdf_floor: KdfParams = DEFAULT_KDF, anchors: Sequence[SignedAnchor] = ()
) -> VerifyReport:
    """Run the checks on an already unlocked clinic (``anchors``: saved anchor files to compare too)."""
    report = VerifyReport()
    _check_database(clinic, report)
    if report.problems:
        return report  # a damaged file makes the remaining checks meaningless
    with clinic.uow() as uow:
        chain = verify_chain(uow.session, clinic.keys.anchors.recovery_signing_public)
    report.audit_rows = chain.rows
    report.problems.extend(chain.problems)
    trusted = {
        key_id: (key.owner_id, key.public_key)
        for key_id, key in chain.trusted_keys.items()
        if key.owner_id is not None and not key.retired
    }
    # an anchor of someone since deactivated (or re-keyed) proves nothing either way: set aside
    retired = {key_id for key_id, key in chain.trusted_keys.items() if key.retired}
    report.problems.extend(witness_checks(clinic, trusted, anchors, set_aside=retired))
    _check_key_ring(clinic, report, kdf_floor)
    check_sealed_values(clinic, report)
    return report


def check_sealed_values(clinic: UnlockedClinic, report: VerifyReport) -> None:
    """Name every sealed clinical value that does not open (altered, or moved to another row, person
    or author). Only a verifier holding the clinical vault can tell; for others this check is skipped."""
    if not clinic.sealer.can_open(VaultKind.CLINICAL):
        return
    found = scan_sealed_values(clinic.uow, VaultKind.CLINICAL)
    report.problems.extend(value.describe() for value in found.unopenable)
    report.problems.extend(
        f"{v.table}.{v.column} of row {v.row_id} is sealed under a key your key ring does not hold"
        for v in found.locked
    )


def _check_database(clinic: UnlockedClinic, report: VerifyReport) -> None:
    try:
        health = database_health(clinic.engine)
    except Exception as exc:  # noqa: BLE001 - any driver error here means the file is damaged
        raise DatabaseDamaged(f"The database cannot be read to the end ({exc}).") from None
    if health.integrity != ["ok"]:
        report.problems.extend(f"database integrity: {line}" for line in health.integrity[:10])
    if health.cipher:
        report.problems.extend(f"encrypted page check: {line}" for line in health.cipher[:10])
    if health.revision != head_revision():
        report.problems.append(f"database schema is at {health.revision}, expected {head_revision()}")


def _check_key_ring(clinic: UnlockedClinic, report: VerifyReport, kdf_floor: KdfParams) -> None:
    ring = clinic.read_ring()
    with clinic.uow() as uow:
        users = uow.session.scalars(select(UserRecord)).all()
        clinic_row = uow.session.scalars(select(ClinicRecord)).one()
        signing = {k.id: k for k in uow.session.scalars(select(UserSigningKeyRecord))}
    report.users = sum(1 for u in users if u.active)
    if ring.clinic_id != clinic_row.id:
        report.problems.append("the key ring belongs to another clinic")
    anchors = clinic.keys.anchors
    if ring.recovery_public != anchors.recovery_public:
        report.problems.append(
            "the key-ring file's recovery key differs from the one in your key ring (tampered?)"
        )
    if clinic_row.recovery_public_key != anchors.recovery_public:
        report.problems.append(
            "the database's recovery key differs from the one in your key ring (tampered?)"
        )
    if (clinic_row.deposit_key_id, clinic_row.deposit_public_key) != (
        anchors.deposit_key_id,
        anchors.deposit_public,
    ):
        report.problems.append("the database's deposit key differs from the one in your key ring (tampered?)")
    by_id = {u.id: u for u in users}
    for name, entry in ring.users.items():
        user = by_id.get(entry.user_id)
        if user is None or user.username != name:
            report.problems.append(f"the key ring holds an entry for {name!r} that no user account matches")
        elif not user.active:
            report.problems.append(f"the key ring still holds the deactivated account {name!r}")
        if entry.password.kdf is None or not entry.password.kdf.meets(kdf_floor):
            report.problems.append(
                f"the key ring entry of {name!r} uses Argon2id parameters weaker than "
                f"{kdf_floor.memory_kib // 1024} MiB and {kdf_floor.iterations} passes"
            )
    escrowed_private_owners = {e.owner_id for e in ring.escrow if e.kind == "private"}
    kinds = {e.kind for e in ring.escrow}
    for needed in ("registry", "clinical", "deposit"):
        if needed not in kinds:
            report.problems.append(f"the recovery escrow lacks the {needed} key")
    for user in users:
        if not user.active:
            continue
        if ring.user(user.username) is None:
            report.problems.append(f"the active account {user.username!r} has no key ring entry")
        if has_private_vault(Role(user.role)) and user.id not in escrowed_private_owners:
            report.problems.append(f"the private vault of {user.username!r} is not escrowed for recovery")
    me = signing.get(clinic.keys.signing_key_id)
    if me is None or me.user_id != clinic.actor.user_id:
        report.problems.append("your signing key is not registered to your account")
    deposit = clinic.keys.deposit.get(anchors.deposit_key_id)
    if deposit is not None and x25519_public(deposit) != anchors.deposit_public:
        report.problems.append("the clinical vault's deposit key does not match its public half")
    if clinic.keys.holds_clinical and deposit is None:
        report.problems.append("your key ring lacks the clinical vault's deposit key")

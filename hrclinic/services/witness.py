"""Witnesses of the audit chain's head, kept where the database is not.

Every role can write the database, so rows cut from the end of the chain (with the head row moved
back) leave a chain that is sound in itself. Each user's key ring (authenticated by their own wrap)
records the newest row their sessions wrote or saw, and the key-ring file keeps a signed anchor per
user; an owner can also save an anchor file elsewhere. Log-in and ``hrclinic verify`` compare the
chain against all of them. Rows written after every witness was last updated (for example, by a
session that was killed before it locked) cannot be missed by anyone, so they are not detected.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hrclinic.atomic import write_atomically
from hrclinic.domain.audit import AuditAction
from hrclinic.errors import HrclinicError, NotAClinic, ValidationError
from hrclinic.services.key_trust import walk_key_trust
from hrclinic.store.records import AuditEventRecord, UserRecord
from hrclinic.vault.anchor import SignedAnchor
from hrclinic.vault.keys import Witness

if TYPE_CHECKING:  # services.clinic imports this module
    from hrclinic.services.clinic import UnlockedClinic


@dataclass(frozen=True)
class ChainEnd:
    """The newest audit row in the database."""

    seq: int
    row_hash: bytes


def chain_end(session: Session) -> ChainEnd:
    """The last row actually present (not the head row, which anyone can move)."""
    seq = session.scalar(select(func.max(AuditEventRecord.seq))) or 0
    if not seq:
        return ChainEnd(0, bytes(32))
    row_hash = session.scalar(select(AuditEventRecord.row_hash).where(AuditEventRecord.seq == seq))
    return ChainEnd(seq, bytes(row_hash or b""))


def witness_problem(session: Session, seq: int, row_hash: bytes, who: str) -> str | None:
    """Why the chain no longer holds row ``seq`` as ``who`` saw it, or None when it does."""
    if seq <= 0:
        return None
    stored = session.scalar(select(AuditEventRecord.row_hash).where(AuditEventRecord.seq == seq))
    if stored is None:
        end = chain_end(session).seq
        if end < seq:
            return (
                f"audit rows {end + 1}..{seq} were removed from the end of the chain "
                f"({who} saw row {seq}; the chain now ends at row {end})"
            )
        return f"audit row {seq}, which {who} saw, was removed"
    if bytes(stored) != row_hash:
        return f"audit row {seq} is not the row {who} saw: the chain was rewritten from there"
    return None


def own_witness_problem(session: Session, witness: Witness | None) -> str | None:
    """Compare the chain with the witness in the unlocked user's own (authenticated) ring."""
    if witness is None:
        return None
    return witness_problem(session, witness.seq, witness.row_hash, "your own earlier session")


@dataclass
class AnchorFindings:
    """What signed anchors say about the chain: cuts they witnessed (and whose anchors said so), and
    anchors that are not believed (another clinic's, or not signed by a key the chain trusts)."""

    cuts: list[str] = field(default_factory=list)
    claimants: list[uuid.UUID] = field(default_factory=list)
    not_believed: list[str] = field(default_factory=list)

    @property
    def problems(self) -> list[str]:
        """Everything, for ``hrclinic verify``."""
        return self.cuts + self.not_believed


def anchor_findings(
    session: Session,
    anchors: Iterable[SignedAnchor],
    clinic_id: uuid.UUID,
    public_keys: Mapping[str, tuple[str, bytes]],
) -> AnchorFindings:
    """Check signed anchors against the chain.

    ``public_keys`` maps a signing key id to (its holder's user id, public key) and holds only keys
    the audit chain trusts (never the users table, which anyone can write). An anchor signed with
    another key or with an invalid signature is reported, not believed. A cut an anchor claims names
    whose anchor claimed it: a colleague who signs a false claim is named by it.
    """
    found = AnchorFindings()
    names = dict(session.execute(select(UserRecord.id, UserRecord.username)).tuples().all())
    for anchor in anchors:
        who = names.get(anchor.user_id, str(anchor.user_id))
        if anchor.clinic_id != clinic_id:
            found.not_believed.append(f"the audit anchor of {who!r} belongs to another clinic")
            continue
        key = public_keys.get(str(anchor.signer_key_id))
        if key is None or key[0] != str(anchor.user_id) or not anchor.valid_under(key[1]):
            found.not_believed.append(
                f"the audit anchor of {who!r} is not signed by a key the audit chain trusts for them "
                "(altered or forged)"
            )
            continue
        cut = witness_problem(session, anchor.seq, anchor.row_hash, f"{who}'s session of {anchor.at[:16]}")
        if cut:
            found.cuts.append(cut)
            found.claimants.append(anchor.user_id)
    return found


def anchor_problems(
    session: Session,
    anchors: Iterable[SignedAnchor],
    clinic_id: uuid.UUID,
    public_keys: Mapping[str, tuple[str, bytes]],
) -> list[str]:
    """Every problem ``anchor_findings`` finds, as sentences."""
    return anchor_findings(session, anchors, clinic_id, public_keys).problems


def recorded_cuts(session: Session) -> list[str]:
    """Cuts found at earlier log-ins stay problems: the rows they lost do not come back. Each names
    whose witness claimed the cut (the person's own earlier session, or a colleague's anchor)."""
    names = {str(k): v for k, v in session.execute(select(UserRecord.id, UserRecord.username)).tuples()}
    rows = session.execute(
        select(AuditEventRecord.seq, AuditEventRecord.at, AuditEventRecord.actor_id, AuditEventRecord.details)
        .where(AuditEventRecord.action == str(AuditAction.AUDIT_CUT_DETECTED))
        .order_by(AuditEventRecord.seq)
        .limit(20)
    ).tuples()
    found = []
    for seq, at, actor, details in rows:
        who = names.get(str(actor), str(actor))
        try:
            claimed = str(json.loads(details).get("claimed_by") or "")
        except (ValueError, AttributeError):
            claimed = ""
        by = ", ".join(repr(names.get(c, c)) if c != "self" else "their own earlier session"
                       for c in claimed.split() if c)
        found.append(
            f"audit row {seq}: at log-in on {str(at)[:16]}, {who!r} found the audit chain cut or rewritten "
            f"before it (witnessed by {by or 'an anchor'}; rows were lost, or a witness lied: restore a "
            "backup to see which)"
        )
    return found


UNREADABLE_ANCHORS = (
    "the key-ring file held {n} unreadable audit anchor(s) (edited by hand?); they were set aside"
)


@dataclass
class LoginWitness:
    """What log-in found: cuts (with who witnessed them: "self" or a user id), and anchors set
    aside (unreadable, or not signed by a key the chain trusts)."""

    cuts: list[str] = field(default_factory=list)
    claimed_by: list[str] = field(default_factory=list)
    set_aside: list[str] = field(default_factory=list)


def login_witness_problems(clinic: UnlockedClinic) -> LoginWitness:
    """At log-in: the user's own witness and every anchor the key-ring file holds, checked against the
    keys the audit chain's trust rows vouch for (a cheap walk). Never a reason to refuse a log-in."""
    ring = clinic.read_ring()
    result = LoginWitness()
    with clinic.uow() as uow:
        own = own_witness_problem(uow.session, clinic.keys.witness)
        if own:
            result.cuts.append(own)
            result.claimed_by.append("self")
        trust = walk_key_trust(uow.session, clinic.keys.anchors.recovery_signing_public)
        keys = {
            key_id: (key.owner_id, key.public_key)
            for key_id, key in trust.keys.items()
            if key.owner_id is not None and not key.retired
        }
        found = anchor_findings(uow.session, ring.anchors.values(), clinic.clinic_id, keys)
    result.cuts.extend(found.cuts)
    result.claimed_by.extend(str(u) for u in found.claimants)
    result.set_aside.extend(found.not_believed)
    if ring.unreadable_anchors:
        result.set_aside.append(UNREADABLE_ANCHORS.format(n=ring.unreadable_anchors))
    return result


def witness_checks(
    clinic: UnlockedClinic,
    trusted: Mapping[str, tuple[str, bytes]],
    extra: Iterable[SignedAnchor] = (),
    *,
    set_aside: frozenset[str] | set[str] = frozenset(),
) -> list[str]:
    """For ``hrclinic verify``: the verifier's own witness, the key-ring file's anchors and any
    saved anchor files, against the keys the verified chain trusts (``trusted``); anchors signed
    with a key in ``set_aside`` (retired since) are not judged."""
    ring = clinic.read_ring()
    for user_id, anchor in list(ring.anchors.items()):
        if str(anchor.signer_key_id) in set_aside:
            del ring.anchors[user_id]
    with clinic.uow() as uow:
        problems = []
        own = own_witness_problem(uow.session, clinic.keys.witness)
        if own:
            problems.append(own)
        problems.extend(anchor_problems(uow.session, ring.anchors.values(), clinic.clinic_id, trusted))
        problems.extend(anchor_problems(uow.session, extra, clinic.clinic_id, trusted))
        problems.extend(recorded_cuts(uow.session))
    if ring.unreadable_anchors:
        problems.append(f"the key-ring file holds {ring.unreadable_anchors} unreadable audit anchor(s)")
    return problems


def sign_anchor(clinic: UnlockedClinic) -> SignedAnchor | None:
    """A signed anchor of the chain's end as it is now (None for an empty chain)."""
    with clinic.uow() as uow:
        end = chain_end(uow.session)
    if end.seq == 0:
        return None
    at = datetime.now(UTC).isoformat(timespec="seconds")
    return SignedAnchor.sign(clinic.signer, clinic.clinic_id, end.seq, end.row_hash, at)


def witness_head(clinic: UnlockedClinic) -> bool:
    """Record the chain's end in the user's own ring and as their anchor in the key-ring file.

    Best effort: a full disk or a damaged file must not stop a lock or a log-in (returns False).
    """
    try:
        anchor = sign_anchor(clinic)
        if anchor is None:
            return False
        clinic.keys.witness = Witness(anchor.seq, anchor.row_hash)
        with clinic.editing_ring() as ring:
            entry = ring.user_by_id(clinic.actor.user_id)
            if entry is None:
                return False  # deactivated meanwhile: nothing of theirs is kept
            if clinic.rewrap is not None:
                clinic.rewrap.apply(entry, clinic.keys)
            ring.anchors[clinic.actor.user_id] = anchor
    except (HrclinicError, OSError):
        return False
    return True


def write_anchor(clinic: UnlockedClinic, out: Path) -> SignedAnchor:
    """Sign an anchor of the chain's end (after an audit row saying so) and write it to ``out``
    atomically. The folder must exist and lie outside the clinic folder (a copy kept beside the
    database would be cut together with it)."""
    from hrclinic.services.audit import append_event

    out = Path(out)
    if not out.parent.is_dir():
        raise ValidationError(f"The folder {out.parent} does not exist; nothing was saved.", field="out")
    if out.resolve().is_relative_to(clinic.paths.root.resolve()):
        raise ValidationError(
            "Save the anchor outside the clinic folder (on a USB stick or another computer): a copy "
            "beside the database can be changed together with it.",
            field="out",
        )
    with clinic.uow() as uow:
        append_event(uow.session, clinic.signer, AuditAction.AUDIT_ANCHOR_SAVED)
        uow.commit()
    anchor = sign_anchor(clinic)
    if anchor is None:  # pragma: no cover - the row just written is there
        raise NotAClinic("The audit chain is empty; there is nothing to anchor.")
    write_atomically(out, anchor.to_text().encode())
    return anchor


def save_anchor(data_dir: Path, username: str, password: str, out: Path) -> SignedAnchor:
    """Log in, save an anchor (``write_anchor``), log out: the command-line path."""
    from hrclinic.services.clinic import lock, unlock

    clinic = unlock(data_dir, username, password)
    try:
        return write_anchor(clinic, out)
    finally:
        lock(clinic, reason=AuditAction.LOGOUT)

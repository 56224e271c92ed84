"""The audit chain's pure parts: action names, canonical encoding and the row hash.

Audit rows hold ids and action names, never clinical text: ``details`` accepts only
short identifiers, numbers and booleans.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from enum import StrEnum

GENESIS_HASH = bytes(32)
MAX_DETAIL_TEXT = 200

DetailValue = str | int | bool | None


class AuditAction(StrEnum):
    """What happened. Later features add their own names here."""

    CLINIC_CREATED = "clinic.created"
    LOGIN = "session.login"
    LOGIN_FAILED = "session.login_failed"
    FAILED_LOGINS_UNREADABLE = "session.failed_logins_unreadable"
    LOGIN_WITH_COMPUTER = "session.login_with_computer_login"
    LOCK = "session.lock"
    UNLOCK = "session.unlock"
    LOGOUT = "session.logout"
    USER_ADDED = "user.added"
    USER_DEACTIVATED = "user.deactivated"
    USER_REACTIVATED = "user.reactivated"
    USER_ROLE_CHANGED = "user.role_changed"
    PASSWORD_CHANGED = "user.password_changed"
    PASSWORD_RESET_BY_OWNER = "user.password_reset_by_owner"
    PASSWORD_RESET_WITH_RECOVERY_KEY = "user.password_reset_with_recovery_key"
    PRIVATE_VAULT_RESTORED = "user.private_vault_restored"
    PASSWORD_CHANGE_NOT_COMPLETED = "user.password_change_not_completed"
    COMPUTER_LOGIN_ENABLED = "user.computer_login_enabled"
    COMPUTER_LOGIN_DISABLED = "user.computer_login_disabled"
    # key rotation: a user's exchange key (introduced by its holder), a rotation's start and completion
    # (ids, epoch, counts; never key material), and a user taking delivery of a rotation's keys
    EXCHANGE_KEY_INTRODUCED = "user.exchange_key_introduced"
    KEYS_ROTATION_STARTED = "keys.rotation_started"
    KEYS_ROTATION_COMPLETED = "keys.rotation_completed"
    KEYS_RECEIVED = "keys.received"
    KEYS_DELIVERY_REFUSED = "keys.delivery_refused"  # sealed to the user, but not signed by an owner
    # a password reset refused because the users table gives the account another role than the audit
    # chain does (details: table_role, chain_role; the table was changed outside the app)
    USER_ROLE_NOT_VOUCHED = "user.role_not_vouched"
    DATABASE_UPGRADED = "clinic.database_upgraded"
    CLINIC_SETTINGS_CHANGED = "clinic.settings_changed"
    VERIFIED = "clinic.verified"
    AUDIT_CUT_DETECTED = "audit.cut_detected"  # log-in found the chain shorter or other than witnessed
    AUDIT_ANCHOR_SAVED = "audit.anchor_saved"
    AUDIT_ANCHORS_UNREADABLE = "audit.anchors_unreadable"
    CLIENT_REGISTERED = "client.registered"
    CLIENT_VIEWED = "client.viewed"
    NOTE_WRITTEN = "note.written"
    NOTE_VIEWED = "note.viewed"
    # front desk: registry and intake
    CLIENT_UPDATED = "client.updated"
    CLIENT_STATUS_CHANGED = "client.status_changed"
    CLIENT_MERGED = "client.merged"
    NEED_RECORDED = "need.recorded"
    NEED_UPDATED = "need.updated"
    SCREENING_RECORDED = "screening.recorded"
    SCREENING_VIEWED = "screening.viewed"
    FLAGS_VIEWED = "flags.viewed"
    # sealed values: one that failed to open (table, column, row id), a re-seal run (counts)
    SEALED_VALUE_UNOPENABLE = "sealed_value.unopenable"
    SEALED_VALUES_RESEALED = "sealed_values.resealed"
    # front desk: appointments and outreach
    APPOINTMENT_BOOKED = "appointment.booked"
    APPOINTMENT_MOVED = "appointment.moved"
    APPOINTMENT_CANCELLED = "appointment.cancelled"
    APPOINTMENT_CHECKED_IN = "appointment.checked_in"
    APPOINTMENT_NO_SHOW = "appointment.no_show"
    APPOINTMENT_LATE_CANCEL = "appointment.late_cancel"
    WALK_IN_CHECKED_IN = "appointment.walk_in_checked_in"
    OUTREACH_CREATED = "outreach.created"
    OUTREACH_DONE = "outreach.done"
    # front desk: consents
    CONSENT_RECORDED = "consent.recorded"
    CONSENT_UPDATED = "consent.updated"
    CONSENT_REVOKED = "consent.revoked"
    CONSENT_FORM_PRINTED = "consent.form_printed"
    CONSENT_SIGNED_COPY_RECEIVED = "consent.signed_copy_received"


# Rows that introduce a user's signing key (details: key_owner, signing_key_id, signing_public). A key
# is trusted only from the row that introduces it, and only if that row is itself trusted.
KEY_INTRODUCTIONS = frozenset(
    {
        AuditAction.CLINIC_CREATED,
        AuditAction.USER_ADDED,
        AuditAction.PASSWORD_RESET_BY_OWNER,
        AuditAction.PASSWORD_RESET_WITH_RECOVERY_KEY,
        AuditAction.USER_REACTIVATED,
    }
)
# Rows the recovery key signs (it is the root of trust: it vouches for the first owner, and for
# anyone who resets their password with it). Only the recovery key may sign them.
RECOVERY_SIGNED = frozenset({AuditAction.CLINIC_CREATED, AuditAction.PASSWORD_RESET_WITH_RECOVERY_KEY})
# A key rotation's start and completion: they decide which rotation a deactivation or recovery reset
# still owes and when every ring drops the keys a rotation retired, so only an owner at that point in
# the chain, or the recovery root (a recovery reset's rotation), may sign them.
ROTATION_SIGNED = frozenset({AuditAction.KEYS_ROTATION_STARTED, AuditAction.KEYS_ROTATION_COMPLETED})
# Every action the recovery root may sign: its own rows, rotations, and the refusal of a recovery reset
# (which no other key is there to sign).
RECOVERY_MAY_SIGN = RECOVERY_SIGNED | ROTATION_SIGNED | frozenset({AuditAction.USER_ROLE_NOT_VOUCHED})
# Rows after which the target's keys may sign nothing more.
KEY_RETIREMENTS = frozenset({AuditAction.USER_DEACTIVATED})
# Rows that give every key of the target a new role (details: role).
KEY_ROLE_CHANGES = frozenset({AuditAction.USER_ROLE_CHANGED})
# User management: only a key whose holder is an owner at that point in the chain may sign these.
OWNER_SIGNED = frozenset(
    {
        AuditAction.USER_ADDED,
        AuditAction.PASSWORD_RESET_BY_OWNER,
        AuditAction.USER_DEACTIVATED,
        AuditAction.USER_REACTIVATED,
        AuditAction.USER_ROLE_CHANGED,
    }
)


def key_introduction(
    user_id: str,
    key_id: str,
    public: bytes,
    *,
    exchange_id: str | None = None,
    exchange_public: bytes | None = None,
) -> dict[str, DetailValue]:
    """The details of a row that introduces a signing key (and the exchange key rotated keys are
    sealed to, when the ring has one)."""
    details: dict[str, DetailValue] = {
        "key_owner": user_id,
        "signing_key_id": key_id,
        "signing_public": public.hex(),
    }
    if exchange_id is not None and exchange_public is not None:
        details["exchange_key_id"] = exchange_id
        details["exchange_public"] = exchange_public.hex()
    return details


@dataclass(frozen=True)
class AuditContent:
    """Everything an audit row's hash and signature cover."""

    seq: int
    at: str
    actor_id: str | None
    action: str
    target_type: str | None
    target_id: str | None
    details: dict[str, DetailValue]
    signer_key_id: str

    def canonical(self) -> bytes:
        """A stable byte encoding (sorted keys, no spaces, UTF-8)."""
        payload = {
            "seq": self.seq,
            "at": self.at,
            "actor": self.actor_id,
            "action": self.action,
            "target_type": self.target_type,
            "target_id": self.target_id,
            "details": self.details,
            "signer": self.signer_key_id,
        }
        return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def chain_hash(previous_hash: bytes, content: AuditContent) -> bytes:
    """The row hash: SHA-256 over the previous row's hash and this row's canonical content."""
    return hashlib.sha256(previous_hash + content.canonical()).digest()


def check_details(details: dict[str, DetailValue] | None) -> dict[str, DetailValue]:
    """Accept only identifiers, numbers and booleans, so no clinical text reaches the log."""
    clean: dict[str, DetailValue] = {}
    for key, value in (details or {}).items():
        if not isinstance(key, str) or not key.isidentifier():
            raise ValueError(f"audit detail key {key!r} is not an identifier")
        if isinstance(value, str):
            if len(value) > MAX_DETAIL_TEXT or "\n" in value:
                raise ValueError(f"audit detail {key!r} is too long to be an identifier")
        elif value is not None and not isinstance(value, (int, bool)):
            raise ValueError(f"audit detail {key!r} must be text, a number or a boolean")
        clean[key] = value
    return clean

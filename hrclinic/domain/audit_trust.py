"""Who may sign what in the audit chain: the table of trusted signing keys, grown row by row.

Trust starts at the recovery key's signing key and grows only through trusted rows that introduce
keys. A row that introduces, retires or re-roles a key counts only when its signer had the
authority for it at that point (an owner for user management, the recovery root for clinic
creation and recovery resets) and when it introduces the key for the user it names as its target.
A row that starts or completes a key rotation counts only when an owner or the recovery root signed it.
A row that fails this is reported and changes nothing, so the rows after it are judged by the
trust an honest chain would have.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from hrclinic.domain.audit import (
    KEY_INTRODUCTIONS,
    KEY_RETIREMENTS,
    KEY_ROLE_CHANGES,
    OWNER_SIGNED,
    RECOVERY_MAY_SIGN,
    RECOVERY_SIGNED,
    ROTATION_SIGNED,
    AuditAction,
    AuditContent,
    DetailValue,
)
from hrclinic.domain.roles import Role

ED25519_PUBLIC_BYTES = 32


@dataclass(frozen=True)
class TrustedKey:
    """A signing key the chain trusts: whose it is, its public half, its holder's role, retired or not.

    ``owner_id`` is None for the recovery root, which signs only recovery rows but for anyone.
    ``role`` is None when the chain never said which role the holder has (no authority follows).
    """

    owner_id: str | None
    public_key: bytes
    role: Role | None = None
    retired: bool = False

    @property
    def is_recovery_root(self) -> bool:
        """True for the recovery key's signing key."""
        return self.owner_id is None


def _role(value: DetailValue) -> Role | None:
    try:
        return Role(str(value)) if value is not None else None
    except ValueError:
        return None


class TrustTable:
    """The keys trusted so far in a walk of the chain, and the rules a row's signer must meet."""

    def __init__(self, root_key_id: str, root_public: bytes) -> None:
        self.keys: dict[str, TrustedKey] = {root_key_id: TrustedKey(None, root_public)}
        self._created = False

    def signer_problem(self, content: AuditContent) -> str | None:
        """Why the row's signer may not sign it (None when it may); the signature is checked apart."""
        seq, action = content.seq, content.action
        signer = self.keys.get(content.signer_key_id)
        if signer is None:
            return f"audit row {seq} is signed with a key the chain never introduced"
        if signer.is_recovery_root and action not in RECOVERY_MAY_SIGN:
            return f"audit row {seq} is signed with the recovery key, which does not sign {action}"
        if not signer.is_recovery_root and signer.owner_id != content.actor_id:
            return f"audit row {seq} is signed by someone other than its actor"
        if signer.retired:
            return f"audit row {seq} is signed with a key retired before it was written"
        return None

    def apply(self, content: AuditContent) -> str | None:
        """Apply a row whose signer and signature were accepted; a row without the authority for the
        key change it makes is returned as a problem and changes nothing."""
        signer = self.keys[content.signer_key_id]
        seq, action = content.seq, content.action
        if action in RECOVERY_SIGNED and not signer.is_recovery_root:
            return f"audit row {seq} ({action}) is not signed with the recovery key; it changes no keys"
        if action in OWNER_SIGNED and signer.role is not Role.OWNER:
            return (
                f"audit row {seq} ({action}) is signed by someone who was not an owner at that point; "
                "it changes no keys"
            )
        if action in ROTATION_SIGNED and not (signer.is_recovery_root or signer.role is Role.OWNER):
            return (
                f"audit row {seq} ({action}) is signed by someone who was neither an owner nor the "
                "recovery key at that point; it records no key rotation"
            )
        if action == AuditAction.CLINIC_CREATED:
            if self._created:
                return f"audit row {seq} ({action}) creates the clinic a second time; it changes no keys"
            self._created = True
            target = content.actor_id  # the row's target is the clinic; its actor is the first owner
        else:
            target = content.target_id
        details = content.details
        if action in KEY_INTRODUCTIONS and "signing_key_id" in details:
            problem = self._introduce(content, target)
            if problem:
                return problem
        if action in KEY_ROLE_CHANGES and target is not None:
            self._set_role(target, _role(details.get("role")))
        if action in KEY_RETIREMENTS and target is not None:
            for key_id, key in self.keys.items():
                if key.owner_id == target:
                    self.keys[key_id] = replace(key, retired=True)
        return None

    def _introduce(self, content: AuditContent, target: str | None) -> str | None:
        seq, action, details = content.seq, content.action, content.details
        key_owner = details.get("key_owner")
        if target is None or key_owner is None or str(key_owner) != target:
            return (
                f"audit row {seq} ({action}) introduces a key for someone other than the user it "
                "names; it changes no keys"
            )
        key_id = str(details["signing_key_id"])
        try:
            public = bytes.fromhex(str(details.get("signing_public")))
        except ValueError:
            public = b""
        if len(public) != ED25519_PUBLIC_BYTES:
            return f"audit row {seq} ({action}) introduces a key it does not describe; it changes no keys"
        if key_id in self.keys:
            return f"audit row {seq} ({action}) introduces a key the chain already knows; it changes no keys"
        if action == AuditAction.CLINIC_CREATED:
            role: Role | None = Role.OWNER
        elif action == AuditAction.USER_ADDED:
            role = _role(details.get("role"))
        else:  # resets and reactivation keep the role the holder has
            role = self._role_of(target)
        self.keys[key_id] = TrustedKey(target, public, role)
        self._set_role(target, role)
        return None

    def _role_of(self, user_id: str) -> Role | None:
        roles = {key.role for key in self.keys.values() if key.owner_id == user_id}
        return roles.pop() if len(roles) == 1 else None

    def _set_role(self, user_id: str, role: Role | None) -> None:
        for key_id, key in self.keys.items():
            if key.owner_id == user_id:
                self.keys[key_id] = replace(key, role=role)

"""Signed anchors: a user's signature over the audit chain's head as their session saw it.

Every user can write the database, so the chain's own head row proves nothing about rows cut from
its end. An anchor, signed with the user's audit key, is kept where the database is not: in the
key-ring file (one per user, rewritten as sessions go) and in any file an owner saves or prints.
A chain found shorter than an anchor, or different at the anchored row, was cut or rewritten.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from hrclinic.vault.keys import b64, unb64
from hrclinic.vault.signing import AuditSigner, signature_valid

FORMAT = "hrclinic-audit-anchor"
MAX_SEQ = 2**62  # audit sequence numbers are SQLite integers; a larger claim is malformed, not a cut


@dataclass(frozen=True)
class SignedAnchor:
    """``user_id`` saw audit row ``seq`` with hash ``row_hash`` at ``at`` (signed with ``signer_key_id``)."""

    clinic_id: uuid.UUID
    user_id: uuid.UUID
    signer_key_id: uuid.UUID
    seq: int
    row_hash: bytes
    at: str
    signature: bytes = field(default=b"", repr=False)

    def message(self) -> bytes:
        """The bytes the signature covers."""
        return (
            f"hrclinic/anchor/v1|{self.clinic_id}|{self.user_id}|{self.signer_key_id}|{self.seq}|"
            f"{self.row_hash.hex()}|{self.at}"
        ).encode()

    @classmethod
    def sign(
        cls, signer: AuditSigner, clinic_id: uuid.UUID, seq: int, row_hash: bytes, at: str
    ) -> SignedAnchor:
        """A new anchor signed by ``signer``."""
        unsigned = cls(clinic_id, signer.user_id, signer.key_id, seq, row_hash, at)
        signature = signer.sign(unsigned.message())
        return cls(clinic_id, signer.user_id, signer.key_id, seq, row_hash, at, signature)

    def valid_under(self, public_key: bytes) -> bool:
        """True when the signature verifies under ``public_key``."""
        return signature_valid(public_key, self.signature, self.message())

    def to_json(self) -> dict[str, Any]:
        """As stored in the key-ring file or an anchor file."""
        return {
            "format": FORMAT,
            "clinic_id": str(self.clinic_id),
            "user_id": str(self.user_id),
            "signer_key_id": str(self.signer_key_id),
            "seq": self.seq,
            "hash": self.row_hash.hex(),
            "at": self.at,
            "signature": b64(self.signature),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SignedAnchor:
        """Read an anchor (ValueError, KeyError or TypeError when malformed)."""
        if data.get("format") != FORMAT:
            raise ValueError("not an hrclinic audit anchor")
        anchor = cls(
            clinic_id=uuid.UUID(str(data["clinic_id"])),
            user_id=uuid.UUID(str(data["user_id"])),
            signer_key_id=uuid.UUID(str(data["signer_key_id"])),
            seq=int(data["seq"]),
            row_hash=bytes.fromhex(str(data["hash"])),
            at=str(data["at"])[:40],
            signature=unb64(str(data["signature"])),
        )
        if not 0 <= anchor.seq < MAX_SEQ or len(anchor.row_hash) != 32 or len(anchor.signature) != 64:
            raise ValueError("the audit anchor is malformed")
        return anchor

    def to_text(self) -> str:
        """The anchor as a small JSON document (for a file an owner keeps elsewhere)."""
        return json.dumps(self.to_json(), indent=1, sort_keys=True) + "\n"

    @classmethod
    def from_text(cls, text: str) -> SignedAnchor:
        """Parse an anchor file's text."""
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError("not an hrclinic audit anchor")
        return cls.from_json(data)

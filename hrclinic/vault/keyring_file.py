"""The key-ring file beside the database: every user's wrapped keys and the recovery escrow.

It holds no secret in the clear: each user's key ring is AES-256-GCM wrapped under an
Argon2id key derived from their password (parameters stored with the wrap), and each vault
key is escrowed to the recovery key's public half. Written atomically (temp, fsync, replace).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hrclinic.atomic import write_atomically
from hrclinic.errors import KeyRingDamaged
from hrclinic.vault.anchor import SignedAnchor
from hrclinic.vault.delivery import Delivery, RotationState
from hrclinic.vault.keys import b64, unb64
from hrclinic.vault.primitives import NONCE_BYTES, SALT_BYTES, KdfParams

FORMAT = "hrclinic-keyring"
VERSION = 1


@dataclass(frozen=True)
class Wrap:
    """One wrapped copy of a user's key ring (password: with KDF parameters; computer: without)."""

    nonce: bytes
    ciphertext: bytes
    kdf: KdfParams | None = None
    salt: bytes | None = None

    def to_json(self) -> dict[str, Any]:
        """The wrap as stored."""
        data: dict[str, Any] = {"nonce": b64(self.nonce), "ciphertext": b64(self.ciphertext)}
        if self.kdf is not None and self.salt is not None:
            data["kdf"] = {**self.kdf.to_json(), "salt": b64(self.salt)}
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Wrap:
        """Read a stored wrap, refusing wrong lengths and out-of-range parameters."""
        kdf = data.get("kdf")
        wrap = cls(
            nonce=unb64(data["nonce"]),
            ciphertext=unb64(data["ciphertext"]),
            kdf=KdfParams.from_json(kdf) if kdf else None,
            salt=unb64(kdf["salt"]) if kdf else None,
        )
        if len(wrap.nonce) != NONCE_BYTES or len(wrap.ciphertext) < 16:
            raise ValueError("a wrapped key ring has the wrong length")
        if wrap.salt is not None and len(wrap.salt) != SALT_BYTES:
            raise ValueError("a key-derivation salt has the wrong length")
        return wrap


@dataclass
class UserEntry:
    """A user's place in the key ring."""

    user_id: uuid.UUID
    username: str
    password: Wrap
    computer: Wrap | None = None


@dataclass(frozen=True)
class EscrowEntry:
    """A vault key sealed to the recovery key's public half."""

    key_id: uuid.UUID
    kind: str  # registry | clinical | deposit | private
    owner_id: uuid.UUID | None
    box: bytes


@dataclass
class KeyRingFile:
    """The whole key-ring file."""

    clinic_id: uuid.UUID
    recovery_public: bytes
    clinic_name: str = ""  # shown on the log-in window before anything is unlocked
    users: dict[str, UserEntry] = field(default_factory=dict)
    escrow: list[EscrowEntry] = field(default_factory=list)
    # each user's latest signed audit anchor, by user id (see vault/anchor.py); a malformed one is
    # dropped when read and counted, never a reason the file cannot be opened
    anchors: dict[uuid.UUID, SignedAnchor] = field(default_factory=dict)
    unreadable_anchors: int = 0
    # key rotation (vault/delivery.py): new keys sealed to each remaining user, and what a started
    # rotation still has to do; a malformed delivery is dropped when read and counted
    deliveries: list[Delivery] = field(default_factory=list)
    unreadable_deliveries: int = 0
    rotation: RotationState | None = None

    def user(self, username: str) -> UserEntry | None:
        """The entry of a (normalised) user name, if any."""
        return self.users.get(username)

    def user_by_id(self, user_id: uuid.UUID) -> UserEntry | None:
        """The entry of a user id, if any."""
        return next((e for e in self.users.values() if e.user_id == user_id), None)

    def to_json(self) -> dict[str, Any]:
        """The file's content."""
        return {
            "format": FORMAT,
            "version": VERSION,
            "clinic_id": str(self.clinic_id),
            "clinic_name": self.clinic_name,
            "recovery_public": b64(self.recovery_public),
            "users": {
                name: {
                    "user_id": str(e.user_id),
                    "password": e.password.to_json(),
                    **({"computer": e.computer.to_json()} if e.computer else {}),
                }
                for name, e in sorted(self.users.items())
            },
            "escrow": [
                {
                    "key_id": str(x.key_id),
                    "kind": x.kind,
                    "owner_id": str(x.owner_id) if x.owner_id else None,
                    "box": b64(x.box),
                }
                for x in self.escrow
            ],
            "anchors": {str(k): a.to_json() for k, a in sorted(self.anchors.items())},
            **({"deliveries": [d.to_json() for d in self.deliveries]} if self.deliveries else {}),
            **({"rotation": self.rotation.to_json()} if self.rotation else {}),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> KeyRingFile:
        """Parse the file's content (raises KeyError/ValueError/TypeError when malformed)."""
        if data.get("format") != FORMAT:
            raise ValueError("not an hrclinic key ring")
        if data.get("version") != VERSION:
            raise ValueError(
                f"key-ring version {data.get('version')!r} is not supported by this version of hrclinic"
            )
        ring = cls(
            clinic_id=uuid.UUID(data["clinic_id"]),
            recovery_public=unb64(data["recovery_public"]),
            clinic_name=str(data.get("clinic_name", "")),
        )
        for name, entry in data["users"].items():
            computer = entry.get("computer")
            ring.users[name] = UserEntry(
                user_id=uuid.UUID(entry["user_id"]),
                username=name,
                password=Wrap.from_json(entry["password"]),
                computer=Wrap.from_json(computer) if computer else None,
            )
        for item in data["escrow"]:
            ring.escrow.append(
                EscrowEntry(
                    key_id=uuid.UUID(item["key_id"]),
                    kind=str(item["kind"]),
                    owner_id=uuid.UUID(item["owner_id"]) if item["owner_id"] else None,
                    box=unb64(item["box"]),
                )
            )
        anchors = data.get("anchors") or {}
        for key, item in anchors.items() if isinstance(anchors, dict) else ():
            try:
                anchor = SignedAnchor.from_json(item)
            except (ValueError, KeyError, TypeError, AttributeError):
                ring.unreadable_anchors += 1
                continue
            if str(anchor.user_id) == key:
                ring.anchors[anchor.user_id] = anchor
            else:
                ring.unreadable_anchors += 1
        deliveries = data.get("deliveries") or []
        for item in deliveries if isinstance(deliveries, list) else ():
            try:
                ring.deliveries.append(Delivery.from_json(item))
            except (ValueError, KeyError, TypeError, AttributeError):
                ring.unreadable_deliveries += 1
        try:
            ring.rotation = RotationState.from_json(data["rotation"]) if data.get("rotation") else None
        except (ValueError, KeyError, TypeError, AttributeError):
            ring.rotation = None  # the users' rings and the audit chain still say what is unfinished
        if len(ring.recovery_public) != 32:
            raise ValueError("recovery public key has the wrong length")
        return ring

    @classmethod
    def load(cls, path: Path) -> KeyRingFile:
        """Read the file, turning every kind of damage into one clear error."""
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise KeyRingDamaged(f"The key-ring file {path} is missing.") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise KeyRingDamaged(f"The key-ring file {path} cannot be read ({exc}).") from None
        try:
            return cls.from_json(json.loads(text))
        except (ValueError, KeyError, TypeError, AttributeError, OverflowError) as exc:
            reason = str(exc) or type(exc).__name__
            raise KeyRingDamaged(
                f"The key-ring file {path} is damaged ({reason}). Restore it from a backup, "
                "or ask the owner to use the recovery key."
            ) from None

    def save(self, path: Path) -> None:
        """Write atomically: a temporary file, fsync, then replace, then fsync the folder."""
        write_atomically(path, json.dumps(self.to_json(), indent=1, sort_keys=True).encode())


"""Values as versions before owner binding wrote them, for tests of opening and converting them."""

from __future__ import annotations

import uuid
from typing import Any

from hrclinic.domain.vaults import field_context
from hrclinic.services.clinic import UnlockedClinic
from hrclinic.store.sealed import SealedText
from hrclinic.vault.primitives import aead_encrypt, seal_to_public_key


def seal_v1(clinic: UnlockedClinic, model: type[Any], attr: str, row_id: uuid.UUID, value: str) -> bytes:
    """0x01 (vault key) or, for fields that accept deposits, 0x02 (deposit), with the v1 context
    (table, column and row only), exactly as the earlier sealer wrote them."""
    descriptor: SealedText = model.__dict__[attr]
    context = b"clinical|" + field_context(descriptor.table, descriptor.column, str(row_id))
    if descriptor.deposit:
        anchors = clinic.keys.anchors
        header = bytes([0x02]) + anchors.deposit_key_id.bytes
        return header + seal_to_public_key(anchors.deposit_public, value.encode(), header + context)
    key_id = clinic.keys.clinical_current
    assert key_id is not None
    header = bytes([0x01]) + key_id.bytes
    nonce, ct = aead_encrypt(clinic.keys.clinical[key_id], value.encode(), header + context)
    return header + nonce + ct

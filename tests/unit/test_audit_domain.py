"""The audit chain's pure parts."""

from __future__ import annotations

import pytest

from hrclinic.domain.audit import GENESIS_HASH, AuditContent, chain_hash, check_details


def _content(**changes: object) -> AuditContent:
    base = dict(
        seq=1,
        at="2026-01-01T00:00:00+00:00",
        actor_id="a",
        action="x",
        target_type=None,
        target_id=None,
        details={},
        signer_key_id="k",
    )
    base.update(changes)
    return AuditContent(**base)  # type: ignore[arg-type]


def test_the_hash_covers_every_field_and_the_previous_hash() -> None:
    original = chain_hash(GENESIS_HASH, _content())
    assert chain_hash(GENESIS_HASH, _content()) == original
    for change in ({"seq": 2}, {"action": "y"}, {"actor_id": "b"}, {"details": {"n": 1}}, {"target_id": "t"}):
        assert chain_hash(GENESIS_HASH, _content(**change)) != original
    assert chain_hash(b"\x01" * 32, _content()) != original


def test_details_accept_ids_and_refuse_free_text() -> None:
    assert check_details({"role": "owner", "count": 3, "ok": True}) == {
        "role": "owner",
        "count": 3,
        "ok": True,
    }
    with pytest.raises(ValueError):
        check_details({"note": "Talked about the weekend.\nAgreed to a plan."})
    with pytest.raises(ValueError):
        check_details({"body": "x" * 201})
    with pytest.raises(ValueError):
        check_details({"bad key": 1})
    with pytest.raises(ValueError):
        check_details({"blob": b"bytes"})  # type: ignore[dict-item]

"""What an insider has, as attack tests use it: the registry key (raw sqlcipher3), their own signing
key and the app's (public) code to write signed, chained audit rows with it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy.orm import Session

from hrclinic.domain.audit import AuditAction, DetailValue
from hrclinic.services.audit import append_event
from hrclinic.services.clinic import lock
from hrclinic.store.engine import open_sqlcipher, sqlcipher_engine
from hrclinic.vault.signing import AuditSigner
from tests.conftest import FRONT_DESK, ClinicFixture

Row = tuple[AuditAction, str | None, str | None, dict[str, DetailValue]]


def registry_key(clinic_dir: ClinicFixture) -> bytes:
    """The registry key, as every role holds it (taken from a front-desk log-in)."""
    desk = clinic_dir.login(FRONT_DESK)
    key = desk.keys.registry_key
    lock(desk)
    return key


@contextmanager
def raw(clinic_dir: ClinicFixture, key: bytes) -> Iterator[Any]:
    """A raw SQLCipher connection to the clinic's database (committed on leaving)."""
    conn = open_sqlcipher(clinic_dir.data_dir / "clinic.db", key)
    try:
        yield conn
        conn.commit()
    finally:
        conn.close()


def sign_rows(clinic_dir: ClinicFixture, key: bytes, signer: AuditSigner, rows: list[Row]) -> None:
    """Append signed, chained audit rows with the insider's own signing key."""
    engine = sqlcipher_engine(clinic_dir.data_dir / "clinic.db", key)
    try:
        with Session(engine) as s:
            for action, target_type, target_id, details in rows:
                append_event(s, signer, action, target_type=target_type, target_id=target_id, details=details)
            s.commit()
    finally:
        engine.dispose()

"""Drafts: unsaved typing survives a new session, sealed with its author's key."""

from __future__ import annotations

from hrclinic.services import drafts
from tests.conftest import CLINICIAN, FRONT_DESK, ClinicFixture


def test_drafts_belong_to_their_author_and_survive_a_new_session(clinic_dir: ClinicFixture) -> None:
    desk = clinic_dir.login(FRONT_DESK)
    drafts.save_draft(desk, "intake", '{"preferred_name": "Zoë"}')
    again = clinic_dir.login(FRONT_DESK)
    restored = drafts.load_draft(again, "intake")
    assert restored is not None and restored.payload == '{"preferred_name": "Zoë"}'
    assert drafts.load_draft(clinic_dir.login(CLINICIAN), "intake") is None  # someone else's draft
    drafts.discard_draft(again, "intake")
    assert drafts.load_draft(again, "intake") is None
    raw = (clinic_dir.data_dir / "clinic.db").read_bytes() + b"".join(
        p.read_bytes() for p in clinic_dir.data_dir.glob("clinic.db-*")
    )
    assert "Zoë".encode() not in raw

"""The registry on a real clinic: search rows, engagement status that never closes a record."""

from __future__ import annotations

import pytest

from hrclinic.errors import ValidationError
from hrclinic.services import intake, registry
from hrclinic.services.intake import IntakeForm
from tests.conftest import FRONT_DESK, ClinicFixture
from tests.people import FULL


def test_search_rows_cover_names_aliases_and_phone(clinic_dir: ClinicFixture) -> None:
    from hrclinic.domain.registry import search

    desk = clinic_dir.login(FRONT_DESK)
    intake.register_person(desk, FULL)
    intake.register_person(desk, IntakeForm(preferred_name="Алексей Смирнов"))
    rows = registry.registry_rows(desk)
    assert [r.preferred_name for r in search(rows, "zofia")] == ["Zoë"]
    assert [r.preferred_name for r in search(rows, "blue")] == ["Zoë"]
    assert [r.preferred_name for r in search(rows, "2013344")] == ["Zoë"]
    assert [r.preferred_name for r in search(rows, "смирнов")] == ["Алексей Смирнов"]


def test_no_shows_and_status_history_never_close_a_record_and_reengaging_is_one_step(
    clinic_dir: ClinicFixture,
) -> None:
    desk = clinic_dir.login(FRONT_DESK)
    person = intake.register_person(desk, IntakeForm(preferred_name="Sam"))
    registry.change_status(desk, person.id, "lost_contact", reason="No reply since March")
    with pytest.raises(ValidationError, match="what happened"):
        registry.change_status(desk, person.id, "moved_on")
    back = registry.re_engage(desk, person.id)
    assert back.status == "active"
    assert [(c.from_status, c.to_status) for c in back.status_history] == [
        ("active", "lost_contact"),
        ("lost_contact", "active"),
    ]
    with pytest.raises(ValidationError, match="already"):
        registry.re_engage(desk, person.id)

"""A person logging in is told, in plain words, when the audit log was cut behind their back."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox

from hrclinic.services import clients, notes
from hrclinic.services.clinic import lock
from hrclinic.store.engine import open_sqlcipher
from tests.conftest import CLINICIAN, ClinicFixture
from tests.ui.conftest import log_in
from ui.shell import ShellWindow


def _cut_the_newest_rows(clinic_dir: ClinicFixture) -> None:
    clinician = clinic_dir.login(CLINICIAN)
    person = clients.register_client(clinician, "Nguyễn Văn An")
    notes.write_clinical_note(clinician, person.id, "Seen today.")
    key = clinician.keys.registry_key
    lock(clinician)  # the clinician's ring now witnesses the chain's end
    conn = open_sqlcipher(clinic_dir.data_dir / "clinic.db", key)  # any role's registry key will do
    conn.execute("DELETE FROM audit_events WHERE seq > (SELECT max(seq) - 4 FROM audit_events)")
    conn.execute(
        "UPDATE audit_head SET seq = (SELECT max(seq) FROM audit_events), row_hash = "
        "(SELECT row_hash FROM audit_events WHERE seq = (SELECT max(seq) FROM audit_events))"
    )
    conn.commit()
    conn.close()


def test_log_in_after_a_cut_warns_and_the_work_goes_on(qtbot, shell: ShellWindow, clinic_dir) -> None:
    _cut_the_newest_rows(clinic_dir)
    log_in(qtbot, shell, CLINICIAN)
    qtbot.waitUntil(lambda: shell.findChild(QMessageBox, "audit_alert") is not None)
    box = shell.findChild(QMessageBox, "audit_alert")
    assert box.isVisible()
    assert "not as it was when it was last seen" in box.text()
    assert "removed from the end of the chain" in box.detailedText()
    assert shell.workspace is not None  # the clinic stays usable
    box.accept()


def test_an_honest_log_in_shows_no_warning(qtbot, shell: ShellWindow) -> None:
    log_in(qtbot, shell, CLINICIAN)
    assert shell.findChild(QMessageBox, "audit_alert") is None

"""The strength meter under every new-password field says, in plain words, what the estimator found."""

from __future__ import annotations

from pathlib import Path

from hrclinic.app import ClinicApp
from tests.conftest import FAST_KDF
from tests.ui.conftest import type_text
from ui.account_dialogs import NewPasswordForm
from ui.first_run import FirstRunDialog


def test_the_first_run_meter_explains_a_weak_password_and_praises_a_passphrase(
    qtbot, tmp_path: Path, runner
) -> None:
    dialog = FirstRunDialog(ClinicApp(tmp_path / "clinic", kdf=FAST_KDF), runner)
    qtbot.addWidget(dialog)
    text = dialog.meter.text

    type_text(dialog.password, "qwertyuiop")
    assert dialog.meter.score == 0
    assert text.text().startswith("Very weak.")
    assert "most common passwords" in text.text()

    dialog.password.clear()
    type_text(dialog.password, "aaaaaaaaaaaa")
    assert dialog.meter.score == 0
    assert 'Repeats like "aaa" are easy to guess.' in text.text()
    assert "Avoid repeated words and characters." in text.text()

    dialog.password.clear()
    type_text(dialog.password, "Password1!")
    assert dialog.meter.score < 3
    assert "similar to a commonly used password" in text.text()
    assert dialog.meter.bar.accessibleDescription() == text.text()  # screen readers hear it too

    dialog.password.clear()
    type_text(dialog.password, "lantern meadow 41")
    assert dialog.meter.score >= 3
    assert text.text() in ("Strong.", "Very strong.")


def test_the_new_password_form_of_the_account_dialogs_refuses_the_user_name(qtbot) -> None:
    # the form inside change password, reset password, recovery reset and add user
    form = NewPasswordForm("therapist")
    qtbot.addWidget(form)
    type_text(form.password, "therapist garden 44")
    assert form.meter.score <= 1
    assert "Do not include the user name" in form.meter.text.text()
    assert not form.check_password()
    assert "Do not include the user name" in form.error.text()

    form.password.clear()
    type_text(form.password, "quiet harbour 52")
    assert form.meter.score >= 3
    assert form.check_password()

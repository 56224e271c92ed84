"""A full intake, shared by the intake, registry and merge tests."""

from __future__ import annotations

from hrclinic.services.intake import IntakeForm

FULL = IntakeForm(
    preferred_name="Zoë",
    legal_name="Zofia Łukasiewicz-Şahin",
    aliases=("Z", "Blue"),
    birth="1990-05-02",
    pronouns="she/her",
    phone="(555) 201-3344",
    may_text=True,
    may_voicemail=False,
    safe_contact_notes="Texts only after 6 pm; do not name the clinic.",
    housing_situation="Staying with friends or family",
    reason_own_words="My partner says I drink too much. I want to sleep better.",
    change_own_words="Maybe drink less on weeknights?",
    needs=(("housing", "couch-surfing since May"), ("food", "")),
    screening=(("uses_alone", "yes", "weekends"), ("has_naloxone", "no", ""), ("injects", "no", "")),
)

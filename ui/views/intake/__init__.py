"""Registering a person and editing their details: ``layout`` builds the form, ``values`` turns it into
plain data and back, ``dialog`` checks, saves and keeps drafts."""

from ui.views.intake.dialog import IntakeDialog

__all__ = ["IntakeDialog"]

"""Drafts: unsaved typing survives a closed window or a crash, sealed with its author's personal key.

A draft is bound to its user, kind and subject (hrclinic/store/records.py): one re-pointed with raw
SQL to another person's editor, another kind or user does not open there. A draft that does not open
(so altered, sealed under a key this user no longer holds, or kept before drafts were bound) is
dropped quietly: a draft is disposable, and nothing else refers to it."""

from __future__ import annotations

from sqlalchemy import delete, select

from hrclinic.domain.text import check_line, clean_text
from hrclinic.errors import SealedValueInvalid, SealedValueLocked, ValidationError
from hrclinic.readmodels.drafts import Draft, DraftRow
from hrclinic.services.clinic import UnlockedClinic
from hrclinic.store.base import utc_now
from hrclinic.store.records import DraftRecord

MAX_DRAFT = 200_000


def save_draft(clinic: UnlockedClinic, kind: str, payload: str, *, subject: str = "new") -> None:
    """Keep (or replace) this user's draft of ``kind`` for ``subject``."""
    check_line(kind, field="kind", what="kind of draft", limit=100)
    check_line(subject, field="subject", what="subject of the draft", limit=100)
    if isinstance(payload, str) and len(payload) > MAX_DRAFT:
        raise ValidationError("This draft is too large to keep; save the form instead.", field="payload")
    payload = clean_text(payload, field="payload", what="draft", limit=MAX_DRAFT)
    with clinic.uow() as uow:
        draft = uow.session.scalars(
            select(DraftRecord).where(
                DraftRecord.user_id == clinic.actor.user_id,
                DraftRecord.kind == kind,
                DraftRecord.subject == subject,
            )
        ).one_or_none()
        if draft is None:
            draft = DraftRecord(user_id=clinic.actor.user_id, kind=kind, subject=subject)
            uow.session.add(draft)
        draft.payload = payload
        draft.updated_at = utc_now()
        uow.commit()


def load_draft(clinic: UnlockedClinic, kind: str, *, subject: str = "new") -> Draft | None:
    """This user's draft, or None (also when it was sealed under a key they no longer hold)."""
    with clinic.uow() as uow:
        draft = uow.session.scalars(
            select(DraftRecord).where(
                DraftRecord.user_id == clinic.actor.user_id,
                DraftRecord.kind == kind,
                DraftRecord.subject == subject,
            )
        ).one_or_none()
        if draft is None:
            return None
        try:
            return Draft(draft.payload or "", draft.updated_at)
        except (SealedValueLocked, SealedValueInvalid):
            uow.session.delete(draft)  # see the module's docstring
            uow.commit()
            return None


def discard_draft(clinic: UnlockedClinic, kind: str, *, subject: str = "new") -> None:
    """Forget the draft (after the form was saved, or when the person chose to discard it)."""
    with clinic.uow() as uow:
        uow.session.execute(
            delete(DraftRecord).where(
                DraftRecord.user_id == clinic.actor.user_id,
                DraftRecord.kind == kind,
                DraftRecord.subject == subject,
            )
        )
        uow.commit()


def list_drafts(clinic: UnlockedClinic) -> list[DraftRow]:
    """This user's kept drafts that open, newest first (after log-in: say what unsaved typing was
    kept); one that does not open is dropped (see the module's docstring)."""
    kept = []
    with clinic.uow() as uow:
        drafts = uow.session.scalars(
            select(DraftRecord)
            .where(DraftRecord.user_id == clinic.actor.user_id)
            .order_by(DraftRecord.updated_at.desc())
        ).all()
        dropped = False
        for draft in drafts:
            try:
                draft.payload  # noqa: B018 - opened only to know that it opens
            except (SealedValueLocked, SealedValueInvalid):
                uow.session.delete(draft)
                dropped = True
                continue
            kept.append(DraftRow(draft.kind, draft.subject, draft.updated_at))
        if dropped:
            uow.commit()
    return kept

"""One audited action: the permission checked, one unit of work, its audit row, one commit.

``UnlockedClinic.acting`` opens it::

    with clinic.acting(Permission.EDIT_REGISTRY, "record needs", AuditAction.NEED_RECORDED) as act:
        need = ClientNeedRecord(...)
        act.session.add(need)
        act.flush()
        act.audit(target_type="need", target_id=need.id, details={"need": need.need})

The action's audit row is written where the body calls ``act.audit()`` (so it can name a record made
inside), or, if the body never does, on the way out with the target given to ``acting``. Either way it
is committed together with the work, or, when the body raises, neither is.
"""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from hrclinic.domain.audit import AuditAction, DetailValue
from hrclinic.services.audit import append_event
from hrclinic.store.uow import UnitOfWork
from hrclinic.vault.signing import AuditSigner

Details = dict[str, DetailValue]  # what an audit row may say besides its action and target (ids, codes)


class Acting:
    """The open unit of work of one audited action (made by ``UnlockedClinic.acting``)."""

    def __init__(
        self,
        uow: UnitOfWork,
        signer: AuditSigner,
        action: AuditAction,
        *,
        target_type: str | None = None,
        target_id: uuid.UUID | str | None = None,
        details: Details | None = None,
    ) -> None:
        self.uow = uow
        self.action = action
        self._signer = signer
        self._target_type = target_type
        self._target_id = target_id
        self._details = details
        self._audited = False

    @property
    def session(self) -> Session:
        """The unit of work's session."""
        return self.uow.session

    def flush(self) -> None:
        """Send pending changes (to learn generated values) without committing."""
        self.uow.flush()

    def audit(
        self,
        action: AuditAction | None = None,
        *,
        target_type: str | None = None,
        target_id: uuid.UUID | str | None = None,
        details: Details | None = None,
    ) -> None:
        """Write an audit row now, in this transaction. Without ``action``: the row of the action
        this unit was opened for (once), its target and details from here or else from ``acting``.
        With ``action``: a further row the same work calls for (a screening deposited at intake)."""
        if action is None:
            if self._audited:
                raise RuntimeError(f"the audit row of {self.action} is already written")
            self._audited = True
            action = self.action
            target_type = target_type if target_type is not None else self._target_type
            target_id = target_id if target_id is not None else self._target_id
            details = details if details is not None else self._details
        append_event(
            self.session, self._signer, action, target_type=target_type, target_id=target_id, details=details
        )

    def finish(self) -> None:
        """Write the action's row if the body did not, then commit the work and the audit together."""
        if not self._audited:
            self.audit()
        self.uow.commit()

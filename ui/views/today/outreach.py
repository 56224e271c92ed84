"""Your outreach list (Today view, clinicians and owners): people to reach out to after a missed
appointment or a late cancel, worded from their safe-contact preferences."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QPushButton, QScrollArea, QVBoxLayout, QWidget

from hrclinic.readmodels.scheduling import OutreachRow
from ui.icons import icon
from ui.text import isolate
from ui.theme import colours
from ui.widgets import label, title


def _person(task: OutreachRow) -> str:
    return f"{isolate(task.preferred_name)}  ·  No. {task.record_number}"


class OutreachPanel(QFrame):
    """Open outreach tasks, oldest first, each with its own Done… button."""

    done_requested = Signal(object)  # the OutreachRow

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("outreach_panel")
        self.setProperty("role", "card")
        self.setMinimumWidth(300)
        box = QVBoxLayout(self)
        box.addWidget(title("Your outreach list", 1.15))
        box.addWidget(
            label(
                "After a missed appointment or a late cancel: an invitation back, never a closure.", "muted"
            )
        )
        self._holder = QWidget()
        self._holder.setObjectName("outreach_list")
        self._cards = QVBoxLayout(self._holder)
        self._cards.setContentsMargins(0, 0, 0, 0)
        self._cards.setSpacing(0)
        self.scroll = QScrollArea()
        self.scroll.setObjectName("outreach_scroll")
        self.scroll.setWidgetResizable(True)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setWidget(self._holder)
        self.scroll.setAccessibleName("Your outreach list")
        self.empty = label("No one to reach out to right now.", "muted", name="outreach_empty")
        box.addWidget(self.scroll, 1)
        box.addWidget(self.empty)
        self._tasks: list[OutreachRow] = []
        self._buttons: list[QPushButton] = []
        self.set_tasks([])

    def set_tasks(self, tasks: list[OutreachRow]) -> None:
        """Show these open tasks."""
        while self._cards.count():
            item = self._cards.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        self._tasks, self._buttons = list(tasks), []
        border = colours().border
        for task in tasks:
            card = QFrame()
            card.setObjectName("outreach_task")
            card.setStyleSheet(f"QFrame#outreach_task {{ border-bottom: 1px solid {border}; }}")
            row = QHBoxLayout(card)
            row.setContentsMargins(4, 10, 4, 10)
            glyph = label("", wrap=False)
            glyph.setPixmap(icon("heart-handshake", colours().accent).pixmap(20, 20))
            glyph.setAlignment(Qt.AlignmentFlag.AlignTop)
            row.addWidget(glyph)
            texts = QVBoxLayout()
            texts.setSpacing(2)
            texts.addWidget(label(_person(task), "title", name="outreach_person"))
            texts.addWidget(label(task.reason, name="outreach_reason"))
            since = task.created_at.astimezone()
            texts.addWidget(label(f"Waiting since {since:%a %d %b, %H:%M}", "muted", name="outreach_since"))
            done = QPushButton("Done…")
            done.setObjectName("outreach_done")
            done.setAccessibleName(f"Outreach to {task.preferred_name} done")
            done.setToolTip("Close this task with what happened")
            done.clicked.connect(lambda _checked=False, t=task: self.done_requested.emit(t))
            texts.addWidget(done, 0, Qt.AlignmentFlag.AlignRight)
            row.addLayout(texts, 1)
            self._cards.addWidget(card)
            self._buttons.append(done)
        self._cards.addStretch(1)
        self.scroll.setVisible(bool(tasks))
        self.empty.setVisible(not tasks)

    def tasks(self) -> list[OutreachRow]:
        """The tasks shown, in order."""
        return list(self._tasks)

    def done_buttons(self) -> list[QPushButton]:
        """Each task's Done… button, in order."""
        return list(self._buttons)

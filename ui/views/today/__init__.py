"""Today: the day's appointments (``view``, built by ``layout``, rows shown by ``rows``), the dialogs that
change an appointment (``dialogs``, with the person picker and the when-fields), and the outreach list."""

from ui.views.today.view import TodayView

__all__ = ["TodayView"]

"""The PySide6 desktop shell: views, dialogs, item models, the task runner and the signal bus."""

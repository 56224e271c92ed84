"""A person's record: ``RecordView`` (header, the open-flags strip, a tab per section) with one panel
module per tab (details, needs, consents, clinical with its note editor, history); ``RecordDialog``
hosts it today, ``open_record`` is how every view opens one."""

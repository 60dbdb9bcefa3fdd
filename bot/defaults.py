"""Defaults shared by the launcher and the servers (no imports: cheap for ``./hw``)."""

# Seconds Rasa waits for the action server (HW_ACTION_TIMEOUT); Rasa's own is 300.
DEFAULT_ACTION_TIMEOUT = 20

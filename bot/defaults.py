"""Defaults shared by the launcher and the servers (no imports: cheap for ``./hw``)."""

# Seconds Rasa waits for the action server (HW_ACTION_TIMEOUT); Rasa's own is 300.
DEFAULT_ACTION_TIMEOUT = 20

# Days a conversation is kept after its newest message (HW_RETENTION_DAYS); the widget's
# browser copy and a deletion's tombstone last as long.
DEFAULT_RETENTION_DAYS = 30

# Hours between two runs of the clean-up inside every Rasa server
# (HW_CLEANUP_INTERVAL_HOURS, fractions allowed; it cannot be switched off). The first
# run is shortly after the server started.
DEFAULT_CLEANUP_INTERVAL_HOURS = 24

# Conversations deleted per transaction by the clean-up (HW_CLEANUP_BATCH): small, so a
# failure rolls back one batch only and no write lock is held for long.
DEFAULT_CLEANUP_BATCH = 200

# Rate limits (bot/channels/ratelimit.py): token buckets per conversation
# (HW_RATE_PER_MINUTE, HW_RATE_BURST) and per client address on REST and socket.io
# (HW_RATE_ADDRESS_PER_MINUTE, HW_RATE_ADDRESS_BURST; several people may share one
# address), and at most HW_QUEUE_PER_CONVERSATION turns of one conversation running
# or waiting at a time (on Telegram: queued updates per chat). A message the crisis
# detector flags is never refused.
DEFAULT_RATE_PER_MINUTE = 60
DEFAULT_RATE_BURST = 20
DEFAULT_RATE_ADDRESS_PER_MINUTE = 300
DEFAULT_RATE_ADDRESS_BURST = 100
DEFAULT_QUEUE_PER_CONVERSATION = 3

"""Deletion through the running bot (REST, SQLite as the server runs it).

- after a delete, the marker word the person typed is in no database file
  (``tracker.db``, ``-wal``, ``-shm``): no free pages, no write-ahead log remnants;
- after "gewist" the next message starts a fresh, empty conversation.

Stored rows are found by the marker text, not by sender id (the channels may
namespace ids). A database that refuses the delete: tests/test_faults.py.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from testsupport.replies import texts
from testsupport.rest import (
    database_bytes,
    domain_text,
    rows_with,
    sender_id,
    talk_and_ask_to_delete,
)

pytestmark = pytest.mark.stack


def test_no_deleted_text_in_any_database_file(stack: Any) -> None:
    marker = f"zeppelin{uuid.uuid4().hex[:10]}"
    sender = sender_id("wipe")
    talk_and_ask_to_delete(stack, sender, marker)
    assert rows_with(stack.db_path, marker) >= 2
    assert marker.encode() in database_bytes(stack.db_path)
    done = stack.post(sender, "/confirm_delete_data")
    assert texts(done) == [domain_text("utter_data_deleted")]
    assert rows_with(stack.db_path, marker) == 0
    assert marker.encode() not in database_bytes(stack.db_path)
    # The next message is a new, empty conversation: the old words are not known.
    stack.post(sender, "hoi")
    assert rows_with(stack.db_path, marker) == 0

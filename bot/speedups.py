"""Measured speed-ups for Rasa 3.6's message loop (see BENCHMARKS.md).

Profiling one Rasa server under load (py-spy, ``bench/serving.py``) showed two
costs that do no useful work:

* **Action-response validation** -- ``RemoteAction._validate_action_result`` calls
  ``jsonschema.validate``, which checks the *schema itself* against the JSON-Schema
  meta-schema on every call: a quarter of the server's time on turns that call the
  action server. Here the validator is built once; every response is still
  validated against the same schema, with the same error.
* **Event types** -- loading a conversation turns every stored event into an
  object; Rasa looks its class up by walking all ``Event`` subclasses (with an
  ``isabstract`` check each) for *every* event, a sixth of the server's time.
  Here the name -> class table is built once and rebuilt when a name is
  unknown (a subclass imported later), so the result is the same.
* **SQLite commits** -- every turn commits with a full ``fsync``. With the SQLite
  tracker store (the one-machine default) connections use WAL journaling and
  ``synchronous=NORMAL``: a commit no longer waits for the disk, a power cut can
  lose at most the last turns, never corrupt the file. SQLAlchemy 1.4 opens and
  closes a new SQLite connection for every session (``NullPool``), and closing the
  last WAL connection checkpoints the file; the tracker store keeps one connection
  per thread instead (``SingletonThreadPool``). PostgreSQL is untouched.

* **Action-call encoding** -- every action call sends the whole conversation as
  JSON; aiohttp's session encodes it with the standard library, here with
  ``ujson`` (already installed with Rasa), which writes the same JSON faster.

``install()`` is called when a channel builds its routes (server start), never at
import, and is idempotent. ``HW_SPEEDUPS=0`` leaves Rasa as it is (to measure them).
"""

from __future__ import annotations

import logging
from typing import Any, Dict, Optional

logger = logging.getLogger(__name__)

_STATE: Dict[str, bool] = {"installed": False}


def _cached_validator() -> Any:
    """The Draft-4 validator for Rasa's action response schema, built once."""
    from jsonschema import validators
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    cls = validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def patch_action_validation() -> None:
    """Validate action server responses with a validator compiled once."""
    from jsonschema import ValidationError, exceptions
    from rasa.core.actions import action as action_module

    validator = _cached_validator()
    docs = action_module.DOCS_BASE_URL

    def validate_action_result(self: Any, result: Dict[str, Any]) -> bool:
        error: Optional[ValidationError] = exceptions.best_match(
            validator.iter_errors(result)
        )
        if error is None:
            return True
        error.message += (
            ". Failed to validate Action server response from API, "
            "make sure your response from the Action endpoint is valid. "
            f"For more information about the format visit {docs}/custom-actions"
        )
        raise error

    action_module.RemoteAction._validate_action_result = (  # type: ignore[method-assign]
        validate_action_result
    )


def patch_event_lookup() -> None:
    """Resolve event type names through a table instead of a class walk."""
    from rasa.shared.core import events as events_module
    from rasa.shared.utils.common import all_subclasses

    original = events_module.Event.resolve_by_type
    table: Dict[str, Any] = {}

    def rebuild() -> None:
        table.clear()
        for cls in all_subclasses(events_module.Event):
            table.setdefault(cls.type_name, cls)

    def resolve_by_type(type_name: str, default: Optional[Any] = None) -> Any:
        found = table.get(type_name)
        if found is None:
            rebuild()
            found = table.get(type_name)
        if found is not None:
            return found
        return original(type_name, default)

    events_module.Event.resolve_by_type = staticmethod(  # type: ignore[method-assign]
        resolve_by_type
    )


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """WAL journal and NORMAL sync for SQLite connections only."""
    import sqlite3

    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()


def patch_sqlite() -> None:
    """WAL pragmas on SQLite connections; a kept connection for the tracker store."""
    from rasa.core import tracker_store
    from sqlalchemy import event
    from sqlalchemy.engine import Engine
    from sqlalchemy.pool import SingletonThreadPool

    if not event.contains(Engine, "connect", _sqlite_pragmas):
        event.listen(Engine, "connect", _sqlite_pragmas)
    original = tracker_store.create_engine_kwargs

    def create_engine_kwargs(url: Any) -> Dict[str, Any]:
        kwargs = dict(original(url))
        text = str(url)
        if text.startswith("sqlite") and ":memory:" not in text:
            kwargs.setdefault("poolclass", SingletonThreadPool)
        return kwargs

    if not getattr(original, "hechtwijzer", False):
        create_engine_kwargs.hechtwijzer = True  # type: ignore[attr-defined]
        tracker_store.create_engine_kwargs = create_engine_kwargs


def _dumps(value: Any) -> str:
    """JSON text like ``json.dumps`` writes (no escaped slashes), via ujson."""
    import ujson

    return str(ujson.dumps(value, escape_forward_slashes=False, ensure_ascii=True))


def patch_action_call_encoding() -> None:
    """Sessions for the action endpoint encode JSON bodies with ujson."""
    import aiohttp
    from rasa.utils import endpoints

    def session(self: Any) -> aiohttp.ClientSession:
        auth = None
        if self.basic_auth:
            auth = aiohttp.BasicAuth(
                self.basic_auth["username"], self.basic_auth["password"]
            )
        return aiohttp.ClientSession(
            headers=self.headers,
            auth=auth,
            timeout=aiohttp.ClientTimeout(total=endpoints.DEFAULT_REQUEST_TIMEOUT),
            json_serialize=_dumps,
        )

    endpoints.EndpointConfig.session = session  # type: ignore[method-assign]


def install() -> None:
    """Install all speed-ups once (none with ``HW_SPEEDUPS=0``)."""
    import os

    if _STATE["installed"] or os.environ.get("HW_SPEEDUPS", "1") == "0":
        return
    patch_action_validation()
    patch_event_lookup()
    patch_sqlite()
    patch_action_call_encoding()
    _STATE["installed"] = True
    logger.info(
        "Hechtwijzer speed-ups installed (action validation, event lookup, SQLite WAL, action-call JSON)."
    )

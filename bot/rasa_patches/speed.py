"""Measured speed-ups of Rasa 3.6's message loop (BENCHMARKS.md, section 3).

Profiling one Rasa server under load (py-spy, ``bench/serving.py``) found costs that
do no useful work. Each function here replaces one Rasa function with one that gives
the same result with less work; ``bot.rasa_patches`` registers and installs them.

* Action-response validation: ``jsonschema.validate`` checks the schema itself
  against the meta-schema on every call (a quarter of the server's time on turns
  that call the action server). Here the validator is built once; every response is
  still validated against the same schema, with the same error.
* Event types: Rasa finds an event's class by walking all ``Event`` subclasses for
  every stored event it loads (a sixth of the server's time). Here a name -> class
  table is built once and rebuilt when a name is unknown (a subclass imported later).
* Action-call encoding: every action call sends the whole conversation as JSON;
  ``ujson`` (installed with Rasa) writes the same JSON faster than the standard library.
"""

from __future__ import annotations

from typing import Any, Dict, Optional


def _cached_validator() -> Any:
    """The validator for Rasa's action response schema, built once."""
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


def dumps(value: Any) -> str:
    """JSON text like ``json.dumps`` writes (no escaped slashes), via ujson."""
    import ujson

    return str(ujson.dumps(value, escape_forward_slashes=False, ensure_ascii=True))


def patch_action_call_encoding() -> None:
    """Sessions for the action endpoint encode JSON bodies with ujson.

    The timeout is read when a session is made, so the action timeout set at start
    (``bot.rasa_patches.behaviour``) applies here too.
    """
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
            json_serialize=dumps,
        )

    endpoints.EndpointConfig.session = session  # type: ignore[method-assign]

"""A running Hechtwijzer on loopback: action server + Rasa server (tests, benchmarks).

``start_stack`` starts one for a model in a folder of its own (SQLite tracker store
there, free ports, the test secrets of ``testsupport.services``) and stops what it
started when either server does not come up. The caller stops it with ``stop()``.
"""

from __future__ import annotations

import json
import subprocess
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional

from testsupport.services import free_port, stack_env

ROOT = Path(__file__).resolve().parent.parent
# The Telegram bot token and webhook secret of the test stacks (the fake Bot API
# server accepts this token).
TELEGRAM_TOKEN = "123456:TEST-token_for-fake-telegram"
TELEGRAM_SECRET = "test-secret-token"


@dataclass
class Stack:
    """A running Hechtwijzer: action server + Rasa server."""

    model: Path
    workdir: Path
    env: Dict[str, str]
    rasa_port: int
    action_port: int
    procs: Dict[str, subprocess.Popen] = field(default_factory=dict)

    @property
    def base_url(self) -> str:
        """Base URL of the Rasa server."""
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def db_path(self) -> Path:
        """The SQLite tracker store file."""
        return self.workdir / "tracker.db"

    def log_path(self, name: str) -> Path:
        """Where a server's output goes."""
        return self.workdir / f"{name}.log"

    def _start(self, name: str) -> None:
        from bot.serving import server_commands

        cmd = server_commands(self.env, self.model)[name]
        with self.log_path(name).open("ab") as log:  # the child keeps its copy
            self.procs[name] = subprocess.Popen(
                cmd, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )

    def start_actions(self) -> None:
        """Start the action server and wait until it answers."""
        self._start("actions")
        if not wait_for_url(
            f"http://127.0.0.1:{self.action_port}/health", 120, self.procs["actions"]
        ):
            raise RuntimeError(self.log_path("actions").read_text()[-3000:])

    def start_rasa(self) -> None:
        """Start the Rasa server and wait until the REST channel answers."""
        self._start("rasa")
        if not wait_for_url(f"{self.base_url}/webhooks/rest/", 300, self.procs["rasa"]):
            raise RuntimeError(self.log_path("rasa").read_text()[-5000:])

    def stop_process(self, name: str) -> None:
        """Stop one server (``actions`` or ``rasa``)."""
        proc = self.procs.pop(name, None)
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    def stop(self) -> None:
        """Stop both servers."""
        for name in list(self.procs):
            self.stop_process(name)

    def post(
        self, sender: str, message: Any, timeout: float = 120
    ) -> List[Dict[str, Any]]:
        """Send one message through the REST channel; return the bot's replies."""
        status, body = self.post_raw({"sender": sender, "message": message}, timeout)
        assert status == 200, body
        return list(json.loads(body))

    def post_raw(self, payload: Any, timeout: float = 120) -> tuple[int, str]:
        """POST anything (dict as JSON, str/bytes as is) to the REST webhook."""
        if isinstance(payload, bytes):
            data = payload
        elif isinstance(payload, str):
            data = payload.encode()
        else:
            data = json.dumps(payload).encode()
        request = urllib.request.Request(
            f"{self.base_url}/webhooks/rest/webhook",
            data=data,
            headers=self.rest_headers(),
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as resp:
                return resp.status, resp.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def rest_headers(self) -> Dict[str, str]:
        """Headers of a REST request (the token when this stack has one)."""
        headers = {"Content-Type": "application/json"}
        if self.env.get("HW_REST_TOKEN"):
            headers["Authorization"] = f"Bearer {self.env['HW_REST_TOKEN']}"
        return headers

    def texts(self, sender: str, message: Any) -> List[str]:
        """The reply texts for one message."""
        return [r.get("text", "") for r in self.post(sender, message) if r.get("text")]


def wait_for_url(
    url: str, timeout: float, proc: Optional[subprocess.Popen] = None
) -> bool:
    """Poll until ``url`` answers 200, the process dies or time runs out."""
    from bot.serving import wait_for

    return wait_for(url, timeout, proc)


def start_stack(
    model: Path, workdir: Path, extra_env: Optional[Dict[str, str]] = None
) -> Stack:
    """Start action server + Rasa server for ``model`` in ``workdir``."""
    workdir.mkdir(parents=True, exist_ok=True)
    for attempt in range(3):
        rasa_port, action_port = free_port(), free_port()
        env = stack_env(workdir, rasa_port, action_port, extra_env)
        stack = Stack(model, workdir, env, rasa_port, action_port)
        try:
            stack.start_actions()
            stack.start_rasa()
        except RuntimeError as error:
            stack.stop()
            # Another process took a port between choosing and binding: new ports.
            if "address already in use" in str(error).lower() and attempt < 2:
                for name in ("actions", "rasa"):
                    stack.log_path(name).unlink(missing_ok=True)
                continue
            raise
        except Exception:
            stack.stop()
            raise
        return stack
    raise AssertionError("unreachable")

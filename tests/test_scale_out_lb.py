"""Scale-out for real: nginx in front of two Rasa servers and two action servers.

The scenario of ``testsupport/scale_out.py`` (``bench/scale_out.py`` runs it from the
command line) with a few conversations at once: every message through nginx (round
robin over the Rasa servers), PostgreSQL tracker store, Redis lock store. Also nginx
on its own (``testsupport/services.py``) and the
checks of the scenario on made-up replies, so each check is seen to fail.
"""

from __future__ import annotations

import http.server
import json
import threading
import urllib.request
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest

from testsupport import scale_out, services

pytestmark = [pytest.mark.stack, pytest.mark.slow]

CONVERSATIONS = 6


# ------------------------------------------------------------ the real scenario
@pytest.fixture(scope="module")
def report(
    trained_model: Path,
    postgres_url: str,
    redis_port: int,
    tmp_path_factory: pytest.TempPathFactory,
) -> Any:
    """The scenario's report: CONVERSATIONS conversations at once through nginx."""
    found = scale_out.run_scenario(
        trained_model,
        CONVERSATIONS,
        tmp_path_factory.mktemp("scale-out-lb"),
        db_url=postgres_url,
        redis_port=redis_port,
    )
    print(found.text())
    return found


def test_every_conversation_reaches_the_result(report: Any) -> None:
    assert len(report.conversations) == CONVERSATIONS
    for conv in report.conversations:
        kinds = [t.kind for t in conv.turns]
        assert kinds.count("answer") == 17, kinds  # relationship + 16 questions
        assert kinds.count("knowledge") == 1 and kinds.count("at_once") == 2
        assert scale_out.asked(conv.turns[-1].replies or []) is None


def test_replies_arrive_exactly_once_and_in_order(report: Any) -> None:
    for kind in (scale_out.LOST, scale_out.DUPLICATED, scale_out.OUT_OF_ORDER):
        assert report.findings(kind, "replies") == [], kind


def test_both_rasa_servers_answered_every_conversation(report: Any) -> None:
    served = report.per_server
    assert set(served) == {"rasa-1", "rasa-2"}, served  # no retries, no strangers
    assert min(served.values()) >= len(report.turns) // 4, served
    assert report.conversations_on_both == CONVERSATIONS
    assert set(report.action_calls) == {"actions-1", "actions-2"}
    # Each person's next message lands on the other server (strict alternation).
    # The two messages sent at the same moment go one to each server, but may be
    # answered in either order: at most two neighbours per person share a server.
    moved, pairs = report.switches
    assert moved >= pairs - 2 * CONVERSATIONS, (moved, pairs)


def test_postgres_trackers_are_complete(report: Any) -> None:
    for kind in (scale_out.LOST, scale_out.DUPLICATED, scale_out.OUT_OF_ORDER):
        assert report.findings(kind, "tracker") == [], kind


def test_the_script_would_exit_zero(report: Any) -> None:
    assert report.ok, report.text()


# ------------------------------------------------------------------ nginx alone
def backend(name: str) -> http.server.ThreadingHTTPServer:
    """A tiny HTTP server that answers every request with its name."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            length = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(length)
            body = name.encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_POST = do_GET  # noqa: N815

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def backends() -> Iterator[Dict[str, http.server.ThreadingHTTPServer]]:
    servers = {name: backend(name) for name in ("a", "b", "actions")}
    yield servers
    for server in servers.values():
        server.shutdown()
        server.server_close()


def fetch(
    url: str, body: bytes | None = None, headers: Dict[str, str] | None = None
) -> tuple[str, str]:
    """(body, X-Upstream) of one request."""
    request = urllib.request.Request(url, data=body, headers=headers or {})
    with urllib.request.urlopen(request, timeout=10) as resp:
        return resp.read().decode(), resp.headers["X-Upstream"]


def test_nginx_round_robin_sticky_socketio_and_actions(
    tmp_path: Path, backends: Dict[str, http.server.ThreadingHTTPServer]
) -> None:
    ports = {name: server.server_port for name, server in backends.items()}
    with services.nginx(tmp_path, [ports["a"], ports["b"]], [ports["actions"]]) as lb:
        assert lb.proc.poll() is None
        big = b"x" * 100_000  # goes through the workers' temp folder
        webhook = [fetch(f"{lb.url}/webhooks/rest/webhook", big) for _ in range(4)]
        assert [body for body, _ in webhook] in (list("abab"), list("baba"))
        for body, upstream in webhook:
            assert upstream == f"127.0.0.1:{ports[body]}"
        sticky = {
            fetch(f"{lb.url}/socket.io/?EIO=4&transport=polling&t={i}")[0]
            for i in range(4)
        }
        assert len(sticky) == 1
        assert fetch(lb.action_url, b"{}")[0] == "actions"
        # A pinned request goes to the server it names, whatever the rotation.
        pinned = [
            fetch(f"{lb.url}/webhooks/rest/webhook", b"{}", {"X-HW-Instance": n})[0]
            for n in ("1", "1", "0", "1", "0", "0")
        ]
        assert pinned == list("bbabaa")
        assert "upstream=127.0.0.1:" in lb.access_log.read_text()
    assert lb.proc.poll() is not None  # stopped


# ------------------------------------------------ the checks see what goes wrong
def question(number: int) -> List[Dict[str, Any]]:
    """A reply batch that asks question ``number``."""
    payload = json.dumps({"question_id": f"q{number:02d}", "answer_value": "3"})
    return [
        {
            "text": f"Vraag {number} van 16\n...",
            "buttons": [{"title": "Soms", "payload": f"/answer_question{payload}"}],
        }
    ]


@pytest.mark.parametrize(
    "replies, expected_kind",
    [
        (question(5), None),
        (question(4), "duplicated"),  # the same question again
        (question(5) + question(5), "duplicated"),  # two in one batch
        (question(7), "lost"),  # question 5 and 6 never asked
        ([], "lost"),  # no reply
        (question(2), "out-of-order"),  # back to an earlier question
    ],
)
def test_check_turn_finds_loss_duplicates_and_reordering(
    replies: List[Dict[str, Any]], expected_kind: str | None
) -> None:
    conv = scale_out.Conversation("x")
    turn = scale_out.Turn("/answer_question", "answer", replies=replies)
    scale_out.check_turn(conv, turn, expected=5, before=4)
    assert [f.kind for f in conv.findings] == ([expected_kind] if expected_kind else [])


@pytest.mark.parametrize(
    "replies, expected_kind",
    [
        ([{"text": "Je stijl"}, {"text": "Wil je meer weten?"}], None),
        (
            [
                {
                    "text": "Geen duidelijke stijl",
                    "buttons": [
                        {"title": "Opnieuw", "payload": "/restart_questionnaire"}
                    ],
                }
            ],
            None,
        ),
        ([{"text": "Dat begreep ik niet goed."}], "lost"),
        (question(16), "duplicated"),
    ],
)
def test_check_turn_knows_a_result(
    replies: List[Dict[str, Any]], expected_kind: str | None
) -> None:
    conv = scale_out.Conversation("x")
    turn = scale_out.Turn("/answer_question", "answer", replies=replies)
    scale_out.check_turn(conv, turn, expected=scale_out.RESULT, before=16)
    assert [f.kind for f in conv.findings] == ([expected_kind] if expected_kind else [])


def test_check_store_finds_missing_extra_and_reordered_events() -> None:
    conv = scale_out.Conversation("x")
    conv.turns = [
        scale_out.Turn("hoi", "start", replies=[{"text": "Hallo"}]),
        scale_out.Turn("a", "at_once", replies=[{"text": "A"}]),
        scale_out.Turn("b", "at_once", replies=[{"text": "B"}]),
        scale_out.Turn("c", "answer", replies=[{"text": "C"}]),
    ]
    user_hoi, bot_hallo = ("user", "hoi"), ("bot", "Hallo")
    a, ra, b, rb = ("user", "a"), ("bot", "A"), ("user", "b"), ("bot", "B")
    c, rc = ("user", "c"), ("bot", "C")
    cases = {
        "ok": [user_hoi, bot_hallo, a, ra, b, rb, c, rc],
        "ok, pair the other way": [user_hoi, bot_hallo, b, rb, a, ra, c, rc],
        "lost": [user_hoi, bot_hallo, a, ra, c, rc],
        "duplicated": [user_hoi, bot_hallo, a, ra, b, rb, c, rc, rc],
        "out-of-order": [user_hoi, bot_hallo, a, b, ra, rb, c, rc],
    }
    for name, stored in cases.items():
        conv.findings = []
        scale_out.check_store(conv, stored)
        kinds = {f.kind for f in conv.findings}
        assert kinds == (set() if name.startswith("ok") else {name}), name

"""The ports the test servers get stay clear of outgoing connections."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from testsupport import services
from testsupport.stack import start_stack


def test_ports_lie_below_the_range_of_outgoing_connections() -> None:
    low, _ = services._ephemeral_range()
    ports = [services.free_port() for _ in range(50)]
    assert all(port < low for port in ports)
    assert len(set(ports)) == len(ports)  # never handed out twice


def test_a_port_in_use_is_not_handed_out(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        busy = taken.getsockname()[1]
        taken.listen()
        draws = iter([busy, busy, 20001])
        monkeypatch.setattr(services.random.Random, "randint", lambda *_: next(draws))
        services._HANDED_OUT.discard(20001)
        assert services.free_port() == 20001


def test_a_stack_whose_port_was_taken_starts_on_new_ports(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, trained_model: Path
) -> None:
    """The first ports are in use when the servers bind them: new ones are drawn."""
    from testsupport import stack as stack_module

    taken = [socket.socket(), socket.socket()]
    for sock in taken:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
    first = [sock.getsockname()[1] for sock in taken]
    draws = iter(first)
    real = services.free_port
    monkeypatch.setattr(stack_module, "free_port", lambda: next(draws, None) or real())
    try:
        stack = start_stack(trained_model, tmp_path)
    finally:
        for sock in taken:
            sock.close()
    try:
        assert stack.action_port not in first and stack.rasa_port not in first
        assert stack.texts("ports", "hoi")
    finally:
        stack.stop()


def test_a_machine_without_room_below_the_range_lets_the_kernel_choose(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(services, "_ephemeral_range", lambda: (1024, 65535))
    port = services.free_port()
    assert 0 < port < 65536

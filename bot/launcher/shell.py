"""``./hw shell``: chat with a running bot in the terminal (REST channel)."""

from __future__ import annotations

import argparse
import json
import os
from typing import Dict, List


def shell(_args: argparse.Namespace) -> int:
    """A small terminal chat against the running bot's REST channel."""
    import urllib.error
    import urllib.request

    from bot import settings

    env = settings.load_env()
    url = f"http://localhost:{env['HW_PORT']}/webhooks/rest/webhook"
    sender = f"shell-{os.getpid()}"
    buttons: List[Dict[str, str]] = []
    print("Typ je bericht (Ctrl-D stopt). Een cijfer kiest een knop.")
    while True:
        try:
            text = input("jij> ")
        except EOFError:
            print()
            return 0
        if text.strip().isdigit() and 0 < int(text) <= len(buttons):
            text = buttons[int(text) - 1]["payload"]
        body = json.dumps({"sender": sender, "message": text}).encode()
        headers = {"Content-Type": "application/json"}
        if env.get("HW_REST_TOKEN", "").strip():
            headers["Authorization"] = f"Bearer {env['HW_REST_TOKEN'].strip()}"
        request = urllib.request.Request(url, data=body, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=120) as resp:
                replies = json.loads(resp.read())
        except (urllib.error.URLError, OSError) as error:
            print(f"(geen verbinding met {url}: {error}; draait ./hw run?)")
            continue
        buttons = []
        for reply in replies:
            if reply.get("text"):
                print(f"bot> {reply['text']}")
            if reply.get("image"):
                print("bot> [afbeelding]")
            for button in reply.get("buttons") or []:
                buttons.append(button)
                print(f"     {len(buttons)}. {button.get('title')}")


def register(commands: argparse._SubParsersAction) -> None:
    """Add ``shell``."""
    parser = commands.add_parser(
        "shell",
        help="chat with the running bot in the terminal",
        description="Chat with a bot started by ./hw run, through its REST channel "
        "(HW_REST_TOKEN is sent when set); a number picks a button.",
    )
    parser.set_defaults(handler=shell)

"""Tests for the Telegram channel (bot/channels/telegram/) and polling mode.

Everything runs against the fake Bot API server of ``tests/bot/fake_telegram.py`` on
127.0.0.1; nothing reaches the internet. The channel tests serve the channel's real
Sanic routes with a small scripted bot standing in for Rasa (``telegram_harness``);
the tests at the end drive the real trained bot through the shared ``stack``.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional

import pytest
import requests
import yaml
from rasa.shared.core.events import BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.channels.identity import telegram_sender_id
from bot.channels.telegram import (
    MAX_CALLBACK_BYTES,
    SECRET_HEADER,
    BotApi,
    CallbackTokens,
    RecentIds,
    RetryPolicy,
    TelegramInput,
    TelegramOutput,
    TelegramSettings,
    decode_data_uri,
    derive_secret,
    load_commands,
    notice,
    parse_commands,
    parse_update,
    split_for_telegram,
    to_telegram_html,
)
from bot.channels.telegram.keyboards import CHOSEN_DATA, LiveKeyboards, chosen_keyboard
from bot.channels.telegram.presses import ButtonPresses
from bot.settings import retention_days
from bot.telegram_poll import (
    OffsetStore,
    TelegramPoller,
    WebhookForwarder,
    default_rasa_url,
)
from bot.telegram_poll import (
    main as poll_main,
)
from hechtwijzer_core.helplines import crisis_reply
from testsupport.fake_telegram import (
    DEFAULT_TOKEN,
    ApiCall,
    FakeTelegram,
    callback_update,
    command_update,
    edited_update,
    group_photo_update,
    group_update,
    location_update,
    photo_update,
    sticker_update,
    text_update,
)
from testsupport.telegram_harness import (
    LONG_PAYLOAD,
    PNG_BYTES,
    SLOW_SECONDS,
    ChannelServer,
    FakeAgent,
    ScriptedBot,
    answer_payload,
)

ROOT = Path(__file__).resolve().parents[2]
SECRET = "test-secret_123"
CHAT = 4242
# Rasa keeps a Telegram chat's conversation under tg:<chat id>.
SENDER = telegram_sender_id(CHAT)
COMMANDS = {c.command: c.payload for c in load_commands()}
# Clear sentences the crisis detector answers with level "crisis".
CRISIS_TEXT = "ik wil niet meer leven"
CRISIS_TEXT_2 = "ik wil zelfmoord plegen"
# Quick retries, for the channel tests that make Telegram fail on purpose.
FAST_RETRIES = RetryPolicy(first_delay=0.01, max_delay=0.05, budget=5.0)


# ------------------------------------------------------------------------- fixtures
@pytest.fixture()
def fake(fake_telegram: FakeTelegram) -> FakeTelegram:
    """The run's fake Bot API server (tests/conftest.py), emptied for one test."""
    fake_telegram.reset()
    return fake_telegram


def make_channel(fake: FakeTelegram, **overrides: str) -> TelegramInput:
    """A channel pointed at the fake server."""
    values = {
        "access_token": DEFAULT_TOKEN,
        "webhook_url": "https://bot.example.test/webhooks/telegram/webhook",
        "secret_token": SECRET,
        "api_base_url": fake.url,
    }
    values.update(overrides)
    channel = TelegramInput.from_credentials(values)
    assert isinstance(channel, TelegramInput)
    return channel


@pytest.fixture()
def server(fake: FakeTelegram) -> Iterator[ChannelServer]:
    """The channel's routes served with the scripted bot; start-up calls forgotten."""
    srv = ChannelServer(make_channel(fake)).start()
    fake.wait_for_call("setMyCommands")
    fake.clear_calls()
    yield srv
    srv.stop()


def methods(calls: List[ApiCall]) -> List[str]:
    """The API methods called, in order."""
    return [call.method for call in calls]


def keyboard_of(call: ApiCall) -> List[List[Dict[str, Any]]]:
    """The inline keyboard rows of a sendMessage call."""
    rows: List[List[Dict[str, Any]]] = call.reply_markup()["inline_keyboard"]
    return rows


def all_keys(call: ApiCall) -> List[Dict[str, Any]]:
    """Every inline button of a sendMessage call, in order."""
    return [key for row in keyboard_of(call) for key in row]


# ------------------------------------------------------------------------- pure parts
def test_html_escapes_everything_and_converts_simple_markdown() -> None:
    """**bold**, _italic_ and links become tags; every other <, > and & is escaped."""
    html = to_telegram_html(
        "**Let op** <b>niet</b> & _zacht_ maar snake_case [hulp](https://a.nl/?x=1&y=2)"
    )
    assert html == (
        "<b>Let op</b> &lt;b&gt;niet&lt;/b&gt; &amp; <i>zacht</i> maar snake_case "
        '<a href="https://a.nl/?x=1&amp;y=2">hulp</a>'
    )


def test_long_text_is_split_in_parts_within_telegrams_limit() -> None:
    """No part is over 4096 characters once formatted, and no word is lost."""
    text = "\n".join(f"Regel {i} met <tekens> & **vet** erin." * 8 for i in range(120))
    parts = split_for_telegram(text)
    assert len(parts) > 1
    assert all(len(to_telegram_html(part)) <= 4096 for part in parts)
    assert " ".join(" ".join(parts).split()) == " ".join(text.split())


def test_one_enormous_word_is_still_split() -> None:
    """Even text without spaces is cut into parts that fit."""
    parts = split_for_telegram("&" * 10_000)
    assert all(len(to_telegram_html(part)) <= 4096 for part in parts)
    assert "".join(parts) == "&" * 10_000


def test_long_button_payloads_become_short_tokens_per_chat() -> None:
    """callback_data never exceeds 64 bytes; tokens resolve only in their own chat."""
    tokens = CallbackTokens()
    short = answer_payload("q03", "4")
    assert tokens.encode("1", short) == short
    token = tokens.encode("1", LONG_PAYLOAD)
    assert len(token.encode()) <= MAX_CALLBACK_BYTES
    assert tokens.decode("1", token) == LONG_PAYLOAD
    assert tokens.decode("2", token) is None
    assert tokens.decode("1", "~unknown") is None


def test_token_memory_is_bounded() -> None:
    """Old tokens are forgotten once a chat has too many."""
    tokens = CallbackTokens(per_chat=2)
    first = tokens.encode("1", LONG_PAYLOAD + "a")
    tokens.encode("1", LONG_PAYLOAD + "b")
    tokens.encode("1", LONG_PAYLOAD + "c")
    assert tokens.decode("1", first) is None


def test_recent_ids_are_bounded() -> None:
    """The dedupe memory keeps only the newest ids."""
    ids = RecentIds(size=2)
    assert [ids.check_and_add(i) for i in (1, 2, 1, 3)] == [False, False, True, False]
    assert 1 not in ids and 3 in ids


@pytest.mark.parametrize(
    "text,payload",
    [
        ("/start", "/greet"),
        ("/start@hechtwijzer_test_bot", "/greet"),
        ("/help", "/help"),
        ("/opnieuw", "/restart_questionnaire"),
        ("/stop", "/stop_questionnaire"),
        ("/verwijder", "/delete_data"),
        ("/samenvatting", "/request_summary"),
        ("/START extra woorden", "/greet"),
    ],
)
def test_commands_become_trusted_payloads(text: str, payload: str) -> None:
    """Each Telegram command maps to the trusted payload of docs/ARCHITECTURE.md."""
    incoming = parse_update(command_update(1, CHAT, text), COMMANDS)
    assert (incoming.kind, incoming.trusted_payload) == ("command", payload)


def test_unknown_command_and_typed_payload_stay_untrusted_text() -> None:
    """Only known commands are trusted; anything else typed is ordinary text."""
    for text in ("/restart", '/answer_question{"question_id":"q01"}'):
        incoming = parse_update(text_update(1, CHAT, text), COMMANDS)
        assert (incoming.kind, incoming.trusted_payload) == ("text", None)


def test_non_text_messages_and_captions() -> None:
    """Stickers and locations are non-text; a caption is read as text."""
    assert (
        parse_update(sticker_update(1, CHAT), COMMANDS).trusted_payload
        == "/non_text_message"
    )
    assert parse_update(location_update(1, CHAT), COMMANDS).kind == "non_text"
    update = sticker_update(1, CHAT)
    update["message"].pop("sticker")
    update["message"].update(photo=[{"file_id": "p"}], caption="dit ben ik")
    incoming = parse_update(update, COMMANDS)
    assert (incoming.kind, incoming.text) == ("text", "dit ben ik")


def test_edits_groups_and_service_messages_are_classified() -> None:
    """Edited messages, group chats and messages without content are told apart."""
    assert parse_update(edited_update(1, CHAT, "x"), COMMANDS).kind == "edited"
    assert parse_update(group_update(1, CHAT, "/start"), COMMANDS).kind == "group"
    update = text_update(1, CHAT, "x")
    update["message"].pop("text")
    update["message"]["new_chat_title"] = "x"
    assert parse_update(update, COMMANDS).kind == "ignore"
    assert parse_update({"update_id": 1, "poll_answer": {}}, COMMANDS).kind == "ignore"


def test_command_list_is_validated() -> None:
    """Command names must follow Telegram's rules and map to a payload."""
    with pytest.raises(ValueError):
        parse_commands(
            {
                "commands": [
                    {"command": "Opnieuw!", "payload": "/x", "description": "abc"}
                ]
            }
        )
    with pytest.raises(ValueError):
        parse_commands(
            {"commands": [{"command": "x", "payload": "x", "description": "abc"}]}
        )
    assert {c.command for c in load_commands()} >= {
        "start",
        "help",
        "opnieuw",
        "stop",
        "verwijder",
    }


def test_settings_defaults_and_derived_secret() -> None:
    """Empty values fall back to defaults; without a secret one is derived from the token."""
    off = TelegramSettings.from_mapping({"access_token": "", "api_base_url": ""})
    assert not off.enabled and off.api_base_url == "https://api.telegram.org"
    on = TelegramSettings.from_mapping({"access_token": "1:abc", "secret_token": None})
    assert on.enabled and on.secret_token == derive_secret("1:abc") != derive_secret(
        "1:abd"
    )


def test_data_uri_decoding() -> None:
    """Valid base64 data URIs give bytes and type; anything else gives None."""
    assert decode_data_uri("data:image/png;base64,aGFsbG8=") == (b"hallo", "image/png")
    assert decode_data_uri("data:image/png,hallo") is None
    assert decode_data_uri("https://example.test/a.png") is None


def test_secret_check_is_strict() -> None:
    """Only the exact configured secret passes."""
    channel = TelegramInput(TelegramSettings("1:abc", "", SECRET, "http://127.0.0.1:9"))
    assert channel.secret_matches(SECRET)
    assert not channel.secret_matches(SECRET + "x")
    assert not channel.secret_matches("")
    assert not channel.secret_matches(None)


# ------------------------------------------------------------------------- channel over HTTP
def test_start_up_registers_webhook_with_secret_and_commands(
    fake: FakeTelegram,
) -> None:
    """The webhook is set with the secret and allowed updates, and the Dutch menu."""
    srv = ChannelServer(make_channel(fake)).start()
    try:
        hook = fake.wait_for_call("setWebhook")[0]
        commands = fake.wait_for_call("setMyCommands")[0]
    finally:
        srv.stop()
    assert hook.params["secret_token"] == SECRET
    assert hook.params["url"] == "https://bot.example.test/webhooks/telegram/webhook"
    assert set(hook.params["allowed_updates"]) == {
        "message",
        "edited_message",
        "callback_query",
    }
    names = [c["command"] for c in commands.params["commands"]]
    assert names == [c.command for c in load_commands()]
    assert "privacy" in names
    assert "getMe" not in methods(fake.calls)


def test_channel_keeps_running_when_telegram_is_unreachable(fake: FakeTelegram) -> None:
    """A failing setWebhook is logged; updates are still accepted and answered."""
    fake.fail("setWebhook", 502, "Bad Gateway")
    fake.fail("setMyCommands", 502, "Bad Gateway")
    srv = ChannelServer(make_channel(fake)).start()
    try:
        fake.wait_for(lambda calls: methods(calls).count("setMyCommands") >= 2)
        status = srv.post(text_update(1, CHAT, "hallo"), SECRET)
    finally:
        srv.stop()
    assert status == 200
    assert fake.calls_to("sendMessage")[-1].params["text"] == "Je zei: hallo"


def test_unreachable_api_base_url_does_not_stop_the_channel(fake: FakeTelegram) -> None:
    """With nothing listening at the Bot API URL the routes still answer."""
    channel = make_channel(fake, api_base_url="http://127.0.0.1:9")
    srv = ChannelServer(channel).start()
    try:
        status = srv.post(text_update(1, CHAT, "hallo"), SECRET)
    finally:
        srv.stop()
    assert status == 200
    assert srv.bot.received == [(SENDER, "hallo")]


def test_without_token_the_channel_is_inert(fake: FakeTelegram) -> None:
    """No token: the webhook answers 503, nothing is processed, Telegram is never called."""
    srv = ChannelServer(make_channel(fake, access_token="")).start()
    try:
        status = srv.post(text_update(1, CHAT, "hallo"), SECRET)
    finally:
        srv.stop()
    assert status == 503
    assert srv.bot.received == []
    assert fake.calls == []


@pytest.mark.parametrize("secret", [None, "", "wrong-secret", SECRET + "x"])
def test_wrong_or_missing_secret_is_rejected_and_nothing_sent(
    server: ChannelServer, fake: FakeTelegram, secret: Any
) -> None:
    """403 and no call to Telegram, nothing handed to the bot."""
    assert server.post(command_update(1, CHAT, "/start"), secret) == 403
    assert server.bot.received == []
    assert fake.calls == []


def test_start_is_answered_with_text_and_inline_keyboard(
    server: ChannelServer, fake: FakeTelegram
) -> None:
    """/start → the privacy note, then trusted /greet: HTML, inline keyboard, "typing"."""
    assert server.post(command_update(1, CHAT, "/start"), SECRET) == 200
    assert server.bot.received == [(SENDER, "/greet")]
    assert methods(fake.calls) == ["sendMessage", "sendChatAction", "sendMessage"]
    assert fake.calls[0].params["text"] == privacy_html()
    assert fake.calls[1].params == {"chat_id": CHAT, "action": "typing"}
    message = fake.calls[2]
    assert message.params["text"] == "Hoi, ik ben <b>Hechtwijzer</b>."
    assert message.params["parse_mode"] == "HTML"
    keys = all_keys(message)
    assert [k["text"] for k in keys] == ["Start de vragen", "Uitleg"]
    assert keys[0]["callback_data"] == "/start_questionnaire"
    assert all(len(k["callback_data"].encode()) <= MAX_CALLBACK_BYTES for k in keys)


def test_button_press_is_answered_and_gives_the_next_question(
    server: ChannelServer, fake: FakeTelegram
) -> None:
    """The press is acknowledged first, then the payload goes in: next question."""
    server.post(command_update(1, CHAT, "/start"), SECRET)
    server.post(callback_update(2, CHAT, "/start_questionnaire"), SECRET)
    question = fake.calls_to("sendMessage")[-1]
    assert question.params["text"].startswith("Vraag 1 van 2")
    data = all_keys(question)[1]["callback_data"]
    assert data == answer_payload("q01", "2")
    fake.clear_calls()
    assert server.post(callback_update(3, CHAT, data), SECRET) == 200
    assert methods(fake.calls)[0] == "answerCallbackQuery"
    assert fake.calls[0].params == {"callback_query_id": "cbq-3"}
    assert server.bot.received[-1] == (SENDER, answer_payload("q01", "2"))
    assert fake.calls_to("sendMessage")[-1].params["text"].startswith("Vraag 2 van 2")


def test_long_payload_button_round_trips_through_a_token(
    server: ChannelServer, fake: FakeTelegram
) -> None:
    """A payload over 64 bytes is sent as a token and resolved back on the press."""
    server.post(command_update(1, CHAT, "/start"), SECRET)
    token = all_keys(fake.calls_to("sendMessage")[-1])[1]["callback_data"]
    assert token != LONG_PAYLOAD and len(token.encode()) <= MAX_CALLBACK_BYTES
    server.post(callback_update(2, CHAT, token), SECRET)
    assert server.bot.received[-1] == (SENDER, LONG_PAYLOAD)


def test_unknown_token_gets_a_popup_and_reaches_nobody(
    server: ChannelServer, fake: FakeTelegram
) -> None:
    """A press on a button whose token is gone: a short note, and its keyboard goes."""
    server.post(callback_update(1, CHAT, "~vergeten", message_id=77), SECRET)
    assert methods(fake.calls) == ["answerCallbackQuery", "editMessageReplyMarkup"]
    assert fake.calls[0].params["text"] == notice("expired_button")
    assert fake.calls[1].params == {"chat_id": CHAT, "message_id": 77}
    assert server.bot.received == []


def test_typed_payload_is_not_trusted(server: ChannelServer) -> None:
    """Typing a button payload that was never sent does not reach Rasa as a payload."""
    server.post(text_update(1, CHAT, answer_payload("q01", "3")), SECRET)
    assert server.bot.received[0][1] == answer_payload("q01", "3").lstrip("/")


def test_sticker_gets_the_text_only_payload(
    server: ChannelServer, fake: FakeTelegram
) -> None:
    """A sticker (and a location) goes in as the trusted /non_text_message."""
    server.post(sticker_update(1, CHAT), SECRET)
    server.post(location_update(2, CHAT), SECRET)
    assert [text for _, text in server.bot.received] == ["/non_text_message"] * 2
    assert (
        fake.calls_to("sendMessage")[0].params["text"] == "Ik kan alleen tekst lezen."
    )


def test_duplicate_update_id_is_processed_once(
    server: ChannelServer, fake: FakeTelegram
) -> None:
    """Telegram re-delivering an update gets 200 again but no second reply."""
    update = text_update(77, CHAT, "hallo")
    assert server.post(update, SECRET) == 200
    assert server.post(update, SECRET) == 200
    assert server.bot.received == [(SENDER, "hallo")]
    assert len(fake.calls_to("sendMessage")) == 1


def test_invalid_bodies_are_refused_without_processing(server: ChannelServer) -> None:
    """Bad JSON or an update without update_id: 400 and nothing handed on."""
    assert server.post(b"{niet json", SECRET) == 400
    assert server.post({"message": {"text": "x"}}, SECRET) == 400
    assert server.bot.received == []


def test_result_picture_is_uploaded_with_send_photo(
    server: ChannelServer, fake: FakeTelegram
) -> None:
    """A data: image is decoded and uploaded as multipart sendPhoto."""
    server.post(command_update(1, CHAT, "/start"), SECRET)
    server.post(callback_update(2, CHAT, "/start_questionnaire"), SECRET)
    server.post(callback_update(3, CHAT, answer_payload("q01", "1")), SECRET)
    server.post(callback_update(4, CHAT, answer_payload("q02", "3")), SECRET)
    photo = fake.calls_to("sendPhoto")
    assert len(photo) == 1
    assert photo[0].files["photo"] == PNG_BYTES
    assert photo[0].params["chat_id"] == str(CHAT)
    assert (
        fake.calls_to("sendMessage")[-1].params["text"] == "Je uitkomst: <b>veilig</b>."
    )


def test_long_reply_is_split_and_escaped(
    server: ChannelServer, fake: FakeTelegram
) -> None:
    """A reply over 4096 characters arrives in several escaped parts."""
    server.post(text_update(1, CHAT, "lang"), SECRET)
    parts = fake.calls_to("sendMessage")
    assert len(parts) >= 3
    assert all(len(p.params["text"]) <= 4096 for p in parts)
    assert "&lt;tekens&gt; &amp; meer" in parts[0].params["text"]


def greetings(fake: FakeTelegram) -> List[ApiCall]:
    """The sendMessage calls of the greeting (not the privacy note before it)."""
    return [c for c in fake.calls_to("sendMessage") if "Hoi" in c.params["text"]]


def test_html_rejected_by_telegram_falls_back_to_plain_text(
    server: ChannelServer, fake: FakeTelegram
) -> None:
    """When Telegram cannot parse the HTML the same text is sent without parse_mode."""
    fake.fail(
        "sendMessage",
        400,
        "Bad Request: can't parse entities",
        times=1,
        when=lambda p: "reply_markup" in p,
    )
    server.post(command_update(1, CHAT, "/start"), SECRET)
    sent = greetings(fake)
    assert len(sent) == 2
    assert "parse_mode" not in sent[1].params
    assert sent[1].params["text"] == "Hoi, ik ben Hechtwijzer."
    assert all_keys(sent[1])[0]["text"] == "Start de vragen"


def test_failed_turn_still_gets_a_friendly_reply(
    server: ChannelServer, fake: FakeTelegram
) -> None:
    """If Rasa raises, Telegram still got its 200 and the guard answers the silence."""
    server.bot.fail_next = True
    assert server.post(text_update(1, CHAT, "hallo"), SECRET) == 200
    assert (
        fake.calls_to("sendMessage")[-1].params["text"] == "Dat begreep ik niet goed."
    )


def test_edited_message_is_not_processed_but_noted(
    server: ChannelServer, fake: FakeTelegram
) -> None:
    """An edit never reaches Rasa (it could answer the wrong question); a note explains."""
    server.post(edited_update(1, CHAT, "toch iets anders"), SECRET)
    assert server.bot.received == []
    assert fake.calls_to("sendMessage")[0].params["text"] == notice("edited_message")


def test_group_chat_gets_one_note_and_the_bot_leaves(
    server: ChannelServer, fake: FakeTelegram
) -> None:
    """Nothing from a group reaches Rasa; one privacy note, then leaveChat."""
    server.post(group_update(1, CHAT, "/start"), SECRET)
    server.post(group_update(2, CHAT, "/help"), SECRET)
    assert server.bot.received == []
    assert methods(fake.calls) == ["sendMessage", "leaveChat"]
    assert fake.calls[0].params["text"] == notice("group_chat")


def test_updates_of_one_chat_are_handled_in_order(
    server: ChannelServer, fake: FakeTelegram
) -> None:
    """Several quick updates from one chat reach the bot in arrival order."""
    for i in range(5):
        assert (
            server.post(text_update(100 + i, CHAT, f"bericht {i}"), SECRET, drain=False)
            == 200
        )
    server.drain()
    assert [text for _, text in server.bot.received] == [
        f"bericht {i}" for i in range(5)
    ]


def test_flood_control_is_retried(server: ChannelServer, fake: FakeTelegram) -> None:
    """A 429 with retry_after is waited out and the message is sent once."""
    fake.fail(
        "sendMessage", 429, "Too Many Requests: retry after 1", times=1, retry_after=1
    )
    server.post(text_update(1, CHAT, "hallo"), SECRET)
    sent = fake.calls_to("sendMessage")
    assert len(sent) == 2 and sent[1].params["text"] == "Je zei: hallo"


def test_token_never_appears_in_errors(fake: FakeTelegram) -> None:
    """Errors that go to the logs have the token removed."""
    api = BotApi(DEFAULT_TOKEN, "http://127.0.0.1:9")
    with pytest.raises(Exception) as raised:
        asyncio.run(api.call("getMe", attempts=1))
    assert DEFAULT_TOKEN not in str(raised.value)


# ------------------------------------------------------------------------- keyboards
def edits(fake: FakeTelegram) -> List[Dict[str, Any]]:
    """The parameters of every editMessageReplyMarkup, in order."""
    return [call.params for call in fake.calls_to("editMessageReplyMarkup")]


def press(
    server: ChannelServer, fake: FakeTelegram, update_id: int, call: ApiCall, key: int
) -> str:
    """Press key number ``key`` under the message ``call`` sent, as a client does."""
    data = str(all_keys(call)[key]["callback_data"])
    update = callback_update(
        update_id,
        CHAT,
        data,
        message_id=fake.message_id_of(call),
        reply_markup=call.reply_markup(),
    )
    assert server.post(update, SECRET) == 200
    return data


def chosen(title: str) -> Dict[str, Any]:
    """The keyboard of a message whose key ``title`` was pressed."""
    return {"inline_keyboard": [[{"text": f"✓ {title}", "callback_data": CHOSEN_DATA}]]}


def test_a_pressed_keyboard_becomes_the_choice(
    server: ChannelServer, fake: FakeTelegram
) -> None:
    """After a press the keys go; one key "✓ <choice>" stays, and it does nothing."""
    server.post(command_update(1, CHAT, "/start"), SECRET)
    greeting = fake.calls_to("sendMessage")[-1]
    fake.clear_calls()
    press(server, fake, 2, greeting, 0)
    assert server.bot.received[-1] == (SENDER, "/start_questionnaire")
    assert fake.calls[0].method == "answerCallbackQuery"
    assert "text" not in fake.calls[0].params  # no pop-up for a press that counts
    greeting_id = fake.message_id_of(greeting)
    assert edits(fake) == [
        {
            "chat_id": CHAT,
            "message_id": greeting_id,
            "reply_markup": chosen("Start de vragen"),
        }
    ]
    fake.clear_calls()
    received = list(server.bot.received)
    update = callback_update(3, CHAT, CHOSEN_DATA, message_id=greeting_id)
    server.post(update, SECRET)
    assert methods(fake.calls) == ["answerCallbackQuery"]
    assert "text" not in fake.calls[0].params
    assert server.bot.received == received


def test_a_press_on_a_keyboard_the_bot_moved_on_from_does_nothing(
    server: ChannelServer, fake: FakeTelegram
) -> None:
    """A second answer to an answered question: a pop-up, no effect.

    (A double tap, or a second phone.) Its keyboard goes, nothing reaches the bot;
    the live keyboard still works.
    """
    server.post(command_update(1, CHAT, "/start"), SECRET)
    greeting = fake.calls_to("sendMessage")[-1]
    press(server, fake, 2, greeting, 0)
    first = fake.calls_to("sendMessage")[-1]
    assert first.params["text"].startswith("Vraag 1 van 2")
    press(server, fake, 3, first, 1)
    second = fake.calls_to("sendMessage")[-1]
    assert second.params["text"].startswith("Vraag 2 van 2")
    fake.clear_calls()
    received = list(server.bot.received)

    press(server, fake, 4, first, 2)
    press(server, fake, 5, greeting, 0)
    assert server.bot.received == received
    assert fake.calls_to("sendMessage") == []
    popups = [call.params.get("text") for call in fake.calls_to("answerCallbackQuery")]
    assert popups == [notice("expired_button")] * 2
    assert edits(fake) == [
        {"chat_id": CHAT, "message_id": fake.message_id_of(first)},
        {"chat_id": CHAT, "message_id": fake.message_id_of(greeting)},
    ]

    press(server, fake, 6, second, 0)
    assert server.bot.received[-1] == (SENDER, answer_payload("q02", "1"))


def test_keyboards_the_bot_moved_on_from_are_taken_off(
    server: ChannelServer, fake: FakeTelegram
) -> None:
    """A reply without keys leaves the keyboard usable; a new keyboard replaces it."""
    server.post(command_update(1, CHAT, "/start"), SECRET)
    greeting = fake.calls_to("sendMessage")[-1]
    server.post(text_update(2, CHAT, "wat is hechting?"), SECRET)
    assert edits(fake) == []
    press(server, fake, 3, greeting, 0)  # still counts: the bot asked nothing new
    assert server.bot.received[-1] == (SENDER, "/start_questionnaire")
    question = fake.calls_to("sendMessage")[-1]
    fake.clear_calls()
    server.post(text_update(4, CHAT, "hallo"), SECRET)
    server.post(command_update(5, CHAT, "/start"), SECRET)  # a new keyboard
    assert edits(fake) == [
        {"chat_id": CHAT, "message_id": fake.message_id_of(question)}
    ]


def test_keyboards_of_one_turn_count_together_and_memory_is_bounded() -> None:
    """Two keyboards in one turn both count; a press spends both; old chats drop out."""
    keyboards = LiveKeyboards(max_chats=2)
    keyboards.sent("1", 10, {"/a": "A"})
    keyboards.sent("1", 11, {"/b": "B"})
    assert keyboards.is_live("1", "/a") and keyboards.is_live("1", "/b")
    assert keyboards.press("1", 11, "/b") == ("B", [10])
    assert keyboards.is_live("1", "/a") is False
    keyboards.new_turn("1")
    keyboards.sent("1", 12, {"/c": "C"})
    assert keyboards.take_retired("1") == [] and keyboards.is_live("1", "/c")
    keyboards.new_turn("1")
    keyboards.sent("1", 13, {"/d": "D"})  # 12 was never pressed: it is taken off
    assert keyboards.take_retired("1") == [12]
    assert keyboards.take_retired("1") == []
    keyboards.sent("2", 20, {"/e": "E"})
    keyboards.sent("3", 30, {"/f": "F"})
    assert keyboards.is_live("1", "/d") is None  # forgotten: the oldest chat
    assert chosen_keyboard("Heel   vaak")["inline_keyboard"][0][0]["text"] == (
        "✓ Heel vaak"
    )


class CheckInBot(ScriptedBot):
    """Asks the check-in question with word answers; "ja" gets the help lines."""

    @staticmethod
    def replies_for(text: str) -> List[Dict[str, Any]]:
        """The check-in question for "zwaar", the help lines for "ja"."""
        if text == "zwaar":
            words = [{"title": w.capitalize(), "payload": w} for w in ("ja", "nee")]
            return [{"text": "Denk je eraan om een eind aan je leven te maken?"}] + [
                {"text": "Ja of nee mag allebei.", "buttons": words}
            ]
        if text == "ja":
            return [{"text": crisis_reply(["suicide"])}]
        return ScriptedBot.replies_for(text)


def test_a_pressed_word_is_read_even_from_an_old_keyboard(fake: FakeTelegram) -> None:
    """The check-in's answers are words, read like typed text, from any keyboard.

    So a "ja" from an old keyboard still gets the help lines.
    """
    srv = ChannelServer(make_channel(fake))
    srv.bot = CheckInBot(srv.agent)
    srv.start()
    try:
        srv.post(text_update(1, CHAT, "zwaar"), SECRET)
        question = fake.calls_to("sendMessage")[-1]
        srv.post(command_update(2, CHAT, "/start"), SECRET)  # the bot moved on
        fake.clear_calls()
        update = callback_update(3, CHAT, "ja", fake.message_id_of(question))
        srv.post(update, SECRET)
        assert srv.bot.received[-1] == (SENDER, "ja")
        assert "text" not in fake.calls_to("answerCallbackQuery")[0].params
        assert has_help_lines(fake.calls_to("sendMessage")[-1])
    finally:
        srv.stop()


def test_after_a_restart_the_stored_conversation_says_which_keyboard_counts() -> None:
    """Without this server's memory, the newest stored keyboard decides."""
    agent = FakeAgent()
    tracker = DialogueStateTracker(SENDER, None)
    for question in ("q01", "q02"):
        keys = [{"title": "Soms", "payload": answer_payload(question, "2")}]
        tracker.update(BotUttered(f"Vraag {question}", data={"buttons": keys}))
        tracker.update(UserUttered("soms"))
    tracker.update(BotUttered("Fijn dat je er bent."))
    asyncio.run(agent.tracker_store.save(tracker))
    api = BotApi(DEFAULT_TOKEN, "http://127.0.0.1:9")
    presses = ButtonPresses(api, TelegramOutput(api), asyncio.ensure_future)

    def counts(payload: str, known: Any = agent) -> bool:
        return bool(asyncio.run(presses.counts(str(CHAT), SENDER, payload, known)))

    assert counts(answer_payload("q02", "2"))
    assert not counts(answer_payload("q01", "2"))
    assert counts("soms")  # words always count
    assert counts(answer_payload("q01", "2"), None)  # nothing known: the guard decides


# ------------------------------------------------------------------------- privacy
def privacy_html(days: int | None = None) -> str:
    """The privacy note as the channel sends it."""
    return to_telegram_html(notice("privacy", days=days or retention_days()))


def test_privacy_command_says_what_is_stored_for_how_long_and_how_to_delete(
    server: ChannelServer, fake: FakeTelegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    """/privacy: the note, with HW_RETENTION_DAYS; nothing reaches the bot."""
    monkeypatch.setenv("HW_RETENTION_DAYS", "14")
    server.post(command_update(1, CHAT, "/privacy"), SECRET)
    assert server.bot.received == []
    assert methods(fake.calls) == ["sendMessage"]
    text = fake.calls[0].params["text"]
    assert text == privacy_html(14)
    assert "14 dagen na je laatste bericht" in text
    delete = [c for c in load_commands() if c.payload == "/delete_data"][0]
    assert f"/{delete.command}" in text and "/privacy" in text


def test_privacy_note_tells_the_same_as_the_widget() -> None:
    """The same facts as the widget's first message.

    Kept on our server, the retention period in days, how to delete it sooner.
    """
    widget = (ROOT / "bot/widget/src/strings.js").read_text(encoding="utf-8")
    assert "{days} dagen" in widget
    template = notice("privacy")
    assert "{days} dagen" in template and "op onze server bewaard" in template
    assert "eerder laten verwijderen" in template


def test_privacy_is_in_the_command_menu() -> None:
    """/privacy is a menu command that only sends the note; /start sends it first."""
    commands = {c.command: c for c in load_commands()}
    assert (commands["privacy"].notice, commands["privacy"].payload) == ("privacy", "")
    assert (commands["start"].notice, commands["start"].payload) == (
        "privacy",
        "/greet",
    )


# ------------------------------------------------------------------------- safety first
def has_help_lines(call: ApiCall) -> bool:
    """The message carries the help lines (113 and 112 among them)."""
    text = str(call.params.get("text", ""))
    return "113" in text and "112" in text and "0800-0113" in text


def test_words_after_a_command_are_classified() -> None:
    """A command keeps its text, so the channel can look at the words after it."""
    incoming = parse_update(command_update(1, CHAT, "/help " + CRISIS_TEXT), COMMANDS)
    assert (incoming.kind, incoming.trusted_payload) == ("command", "/help")
    assert incoming.text == "/help " + CRISIS_TEXT
    edited = parse_update(edited_update(1, CHAT, CRISIS_TEXT), COMMANDS)
    assert (edited.kind, edited.text) == ("edited", CRISIS_TEXT)
    group = parse_update(group_photo_update(1, CHAT, CRISIS_TEXT), COMMANDS)
    assert (group.kind, group.text) == ("group", CRISIS_TEXT)


def test_command_with_crisis_words_goes_in_as_typed_text(
    server: ChannelServer, fake: FakeTelegram
) -> None:
    """/help with crisis words after it: the words reach the bot, not /help."""
    server.post(command_update(1, CHAT, "/help " + CRISIS_TEXT), SECRET)
    server.post(
        command_update(2, CHAT, "/start@hechtwijzer_test_bot " + CRISIS_TEXT_2), SECRET
    )
    server.post(command_update(3, CHAT, "/privacy " + CRISIS_TEXT), SECRET)
    assert server.bot.received == [
        (SENDER, CRISIS_TEXT),
        (SENDER, CRISIS_TEXT_2),
        (SENDER, CRISIS_TEXT),
    ]
    # Only the help lines: no privacy note before them.
    assert len(fake.calls_to("sendMessage")) == 3
    assert all(has_help_lines(m) for m in fake.calls_to("sendMessage"))


def test_command_with_harmless_words_still_runs_the_command(
    server: ChannelServer,
) -> None:
    """/start with harmless words after it is still /start."""
    server.post(command_update(1, CHAT, "/start hallo daar"), SECRET)
    assert server.bot.received == [(SENDER, "/greet")]


def test_edited_crisis_message_is_answered_as_a_new_message(
    server: ChannelServer, fake: FakeTelegram
) -> None:
    """An edit that may be a person in crisis is read; a harmless edit is not."""
    server.post(edited_update(1, CHAT, "toch iets anders"), SECRET)
    server.post(edited_update(2, CHAT, CRISIS_TEXT), SECRET)
    server.post(edited_update(3, CHAT, "/start " + CRISIS_TEXT_2), SECRET)
    assert server.bot.received == [(SENDER, CRISIS_TEXT), (SENDER, CRISIS_TEXT_2)]
    sent = fake.calls_to("sendMessage")
    assert sent[0].params["text"] == notice("edited_message")
    assert has_help_lines(sent[1]) and has_help_lines(sent[2])


def test_group_crisis_text_gets_the_help_lines_every_time(
    server: ChannelServer, fake: FakeTelegram
) -> None:
    """Group: help lines for every crisis text, the note once, leave; no Rasa.

    Captions and edits in the group count as well.
    """
    server.post(group_update(1, CHAT, CRISIS_TEXT), SECRET)
    server.post(group_update(2, CHAT, "hallo allemaal"), SECRET)
    server.post(group_photo_update(3, CHAT, CRISIS_TEXT_2), SECRET)
    server.post(group_update(4, CHAT, CRISIS_TEXT, edited=True), SECRET)
    assert server.bot.received == []
    assert methods(fake.calls) == [
        "sendMessage",
        "sendMessage",
        "leaveChat",
        "sendMessage",
        "leaveChat",
        "sendMessage",
        "leaveChat",
    ]
    sent = fake.calls_to("sendMessage")
    assert has_help_lines(sent[0]) and sent[1].params["text"] == notice("group_chat")
    assert has_help_lines(sent[2]) and has_help_lines(sent[3])
    assert all(str(c.params["chat_id"]) == str(-CHAT) for c in fake.calls)


def test_webhook_answers_only_after_the_update_was_processed(
    server: ChannelServer, fake: FakeTelegram
) -> None:
    """The 200 comes after the reply went out (a restart before it loses nothing)."""
    status = server.post(text_update(1, CHAT, "traag"), SECRET, drain=False)
    assert status == 200
    assert [c.params["text"] for c in fake.calls_to("sendMessage")] == ["Je zei: traag"]


def test_update_is_finished_when_the_caller_stops_waiting(
    server: ChannelServer, fake: FakeTelegram
) -> None:
    """Telegram giving up on the webhook does not cut the update off.

    Its second delivery waits for the first and is not processed again.
    """
    update = text_update(1, CHAT, "traag")
    with pytest.raises(requests.exceptions.Timeout):
        server.post(update, SECRET, drain=False, timeout=SLOW_SECONDS / 4)
    assert fake.calls_to("sendMessage") == []
    assert server.post(update, SECRET, drain=False) == 200
    assert [c.params["text"] for c in fake.calls_to("sendMessage")] == ["Je zei: traag"]
    assert server.bot.received == [(SENDER, "traag")]


@pytest.fixture()
def fast_server(fake: FakeTelegram) -> Iterator[ChannelServer]:
    """Like ``server``, with quick retries (the same policy, shorter waits)."""
    channel = make_channel(fake)
    channel.output.policy = FAST_RETRIES
    srv = ChannelServer(channel).start()
    fake.wait_for_call("setMyCommands")
    fake.clear_calls()
    yield srv
    srv.stop()


def test_server_errors_are_retried_then_plain_text_without_buttons(
    fast_server: ChannelServer, fake: FakeTelegram
) -> None:
    """HTML sends keep failing with 502: after the retries the bare text goes."""
    fake.fail(
        "sendMessage",
        502,
        "Bad Gateway",
        when=lambda p: "parse_mode" in p and "reply_markup" in p,
    )
    fast_server.post(command_update(1, CHAT, "/start"), SECRET)
    sent = greetings(fake)
    assert [("parse_mode" in c.params) for c in sent] == [True] * 4 + [False]
    assert sent[-1].params["text"] == "Hoi, ik ben Hechtwijzer."
    assert "reply_markup" not in sent[-1].params


def test_blocked_bot_is_not_retried(
    fast_server: ChannelServer, fake: FakeTelegram
) -> None:
    """403 (the person blocked the bot): one call, no retries, no plain text."""
    fake.fail("sendMessage", 403, "Forbidden: bot was blocked by the user")
    fast_server.post(text_update(1, CHAT, "hallo"), SECRET)
    assert len(fake.calls_to("sendMessage")) == 1


def test_help_lines_that_did_not_arrive_are_sent_again(
    fast_server: ChannelServer, fake: FakeTelegram
) -> None:
    """Every try of the crisis reply fails (HTML and plain): the guard sends it again."""
    fake.fail("sendMessage", 502, "Bad Gateway", times=6)
    fast_server.post(text_update(1, CHAT, CRISIS_TEXT), SECRET)
    sent = fake.calls_to("sendMessage")
    assert len(sent) == 7
    assert all(has_help_lines(c) for c in sent)
    assert sent[-1].params["parse_mode"] == "HTML"


def test_sending_gives_up_within_its_time_budget(fake: FakeTelegram) -> None:
    """A Telegram that never recovers: a bounded number of tries, then an error."""
    from bot.channels.telegram import TelegramApiError, TelegramOutput

    fake.fail("sendMessage", 429, "Too Many Requests", retry_after=1)
    policy = RetryPolicy(budget=2.5)

    async def go() -> float:
        api = BotApi(DEFAULT_TOKEN, fake.url)
        loop = asyncio.get_running_loop()
        started = loop.time()
        try:
            with pytest.raises(TelegramApiError):
                await TelegramOutput(api, policy=policy).send_text_message("1", "hoi")
        finally:
            await api.close()
        return loop.time() - started

    elapsed = asyncio.run(go())
    assert elapsed < policy.budget + 1.5
    assert 2 <= len(fake.calls_to("sendMessage")) <= policy.attempts + 2


# ------------------------------------------------------------------------- polling mode
class Recorder:
    """A deliver function that records updates and can refuse them."""

    def __init__(self) -> None:
        """Accept everything until told otherwise."""
        self.delivered: List[int] = []
        self.refuse: set = set()

    async def __call__(self, update: Dict[str, Any]) -> bool:
        """Record ``update`` unless its id is refused."""
        if update["update_id"] in self.refuse:
            return False
        self.delivered.append(update["update_id"])
        return True


def run_poll(
    fake: FakeTelegram, path: Path, recorder: Recorder, rounds: int = 1
) -> TelegramPoller:
    """Make a poller (as after a fresh start) and poll ``rounds`` times."""

    async def go() -> TelegramPoller:
        api = BotApi(DEFAULT_TOKEN, fake.url)
        poller = TelegramPoller(
            api, OffsetStore(path, DEFAULT_TOKEN), recorder, poll_timeout=0
        )
        await poller.prepare()
        for _ in range(rounds):
            await poller.poll_once()
        await api.close()
        return poller

    return asyncio.run(go())


def test_polling_delivers_queued_updates_once_and_advances_the_offset(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    """Queued updates are delivered in order; the stored offset is last id + 1."""
    for uid in (11, 12, 13):
        fake.queue_update(text_update(uid, CHAT, f"nr {uid}"))
    recorder = Recorder()
    poller = run_poll(fake, tmp_path / "offset.json", recorder, rounds=2)
    assert recorder.delivered == [11, 12, 13]
    assert poller.offset == 14
    assert OffsetStore(tmp_path / "offset.json", DEFAULT_TOKEN).load() == 14
    assert fake.pending_update_ids() == []  # the second round confirmed them
    offsets = [c.params.get("offset") for c in fake.calls_to("getUpdates")]
    assert offsets == [None, 14]


def test_polling_restart_neither_loses_nor_duplicates(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    """A crash after delivery but before Telegram was told: the restart skips them."""
    path = tmp_path / "offset.json"
    for uid in (21, 22):
        fake.queue_update(text_update(uid, CHAT, "x"))
    first = Recorder()
    run_poll(fake, path, first, rounds=1)  # delivered, but never confirmed to Telegram
    assert fake.pending_update_ids() == [21, 22]
    fake.queue_update(text_update(23, CHAT, "y"))
    second = Recorder()
    run_poll(fake, path, second, rounds=1)
    assert first.delivered == [21, 22]
    assert second.delivered == [23]


def test_polling_retries_a_refused_update_in_order(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    """When the server does not accept an update, it and the ones after wait for later."""
    path = tmp_path / "offset.json"
    for uid in (31, 32, 33):
        fake.queue_update(text_update(uid, CHAT, "x"))
    recorder = Recorder()
    recorder.refuse = {32}
    run_poll(fake, path, recorder, rounds=1)
    assert recorder.delivered == [31]
    recorder.refuse = set()
    run_poll(fake, path, recorder, rounds=1)
    assert recorder.delivered == [31, 32, 33]


def test_polling_removes_a_webhook_first(fake: FakeTelegram, tmp_path: Path) -> None:
    """Telegram refuses getUpdates while a webhook is set: prepare() deletes it."""
    fake.webhook_url = "https://bot.example.test/hook"
    fake.queue_update(text_update(41, CHAT, "x"))
    recorder = Recorder()
    run_poll(fake, tmp_path / "o.json", recorder)
    assert methods(fake.calls)[0] == "deleteWebhook"
    assert recorder.delivered == [41]


def test_polling_loop_survives_telegram_errors(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    """run() backs off after a failed getUpdates and then delivers; stop ends it."""
    fake.fail("getUpdates", 502, "Bad Gateway", times=1)
    fake.queue_update(text_update(45, CHAT, "x"))
    recorder = Recorder()

    async def go() -> None:
        api = BotApi(DEFAULT_TOKEN, fake.url)
        poller = TelegramPoller(
            api,
            OffsetStore(tmp_path / "o.json", DEFAULT_TOKEN),
            recorder,
            poll_timeout=1,
        )
        stop = asyncio.Event()
        task = asyncio.ensure_future(poller.run(stop))
        while not recorder.delivered:
            await asyncio.sleep(0.05)
        stop.set()
        await asyncio.wait_for(task, 30)
        await api.close()

    asyncio.run(go())
    assert recorder.delivered == [45]
    assert methods(fake.calls).count("getUpdates") >= 2


def test_polling_backs_off_while_the_server_does_not_process(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    """An update the server does not answer is offered again after a pause.

    Not in a tight loop; the offset stays before it.
    """
    fake.queue_update(text_update(47, CHAT, "x"))
    recorder = Recorder()
    recorder.refuse = {47}

    async def go() -> TelegramPoller:
        api = BotApi(DEFAULT_TOKEN, fake.url)
        poller = TelegramPoller(
            api, OffsetStore(tmp_path / "o.json", DEFAULT_TOKEN), recorder, 1
        )
        stop = asyncio.Event()
        task = asyncio.ensure_future(poller.run(stop))
        await asyncio.sleep(2.0)
        stop.set()
        await asyncio.wait_for(task, 30)
        await api.close()
        return poller

    poller = asyncio.run(go())
    assert recorder.delivered == [] and poller.offset is None
    assert fake.pending_update_ids() == [47]
    assert len(fake.calls_to("getUpdates")) <= 3


def test_offset_file_is_per_bot_and_survives_garbage(tmp_path: Path) -> None:
    """Two tokens keep separate offsets; an unreadable file counts as no offset."""
    path = tmp_path / "o.json"
    OffsetStore(path, "1:a").save(5)
    OffsetStore(path, "2:b").save(9)
    assert OffsetStore(path, "1:a").load() == 5
    assert OffsetStore(path, "2:b").load() == 9
    path.write_text("{kapot", encoding="utf-8")
    assert OffsetStore(path, "1:a").load() is None


def test_poller_finds_the_local_server(monkeypatch: pytest.MonkeyPatch) -> None:
    """HW_RASA_URL wins; otherwise the local server on HW_PORT; otherwise port 5005."""
    monkeypatch.delenv("HW_RASA_URL", raising=False)
    monkeypatch.delenv("HW_PORT", raising=False)
    assert default_rasa_url() == "http://localhost:5005"
    monkeypatch.setenv("HW_PORT", "6006")
    assert default_rasa_url() == "http://localhost:6006"
    monkeypatch.setenv("HW_RASA_URL", "http://bot.internal:7007")
    assert default_rasa_url() == "http://bot.internal:7007"


HEAVY_PACKAGES = ("rasa", "sanic", "tensorflow", "spacy", "sqlalchemy")


def loaded_packages(statement: str) -> List[str]:
    """Top-level packages of ``HEAVY_PACKAGES`` a fresh interpreter loads for ``statement``."""
    probe = (
        f"{statement}\nimport sys\n"
        "print(' '.join(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return [name for name in done.stdout.split() if name in HEAVY_PACKAGES]


def test_the_poller_loads_neither_rasa_nor_sanic() -> None:
    """The polling forwarder is a small process: the Bot API client, no Rasa, no Sanic."""
    assert loaded_packages("import bot.telegram_poll") == []
    assert loaded_packages("import bot.channels.telegram.api") == []
    # The channel itself does need them: the probe sees what it should.
    assert "rasa" in loaded_packages("import bot.channels.telegram.channel")


def test_the_package_serves_the_names_it_exports() -> None:
    """``credentials.yml`` names ``bot.channels.telegram.TelegramInput``; all exports load."""
    from rasa.shared.utils.common import class_from_module_path

    import bot.channels.telegram as package

    credentials = yaml.safe_load((ROOT / "credentials.yml").read_text("utf-8"))
    assert "bot.channels.telegram.TelegramInput" in credentials
    assert class_from_module_path("bot.channels.telegram.TelegramInput") is (
        TelegramInput
    )
    for name in package.__all__:
        assert getattr(package, name) is not None
    with pytest.raises(AttributeError):
        package.no_such_name  # noqa: B018


def test_polling_feeds_the_same_channel_logic(
    server: ChannelServer, fake: FakeTelegram, tmp_path: Path
) -> None:
    """Forwarded updates pass the secret check, dedupe and commands of the webhook."""
    fake.queue_update(command_update(51, CHAT, "/start"))
    fake.queue_update(sticker_update(52, CHAT))

    async def go(secret: str) -> int:
        api = BotApi(DEFAULT_TOKEN, fake.url)
        forwarder = WebhookForwarder(server.url, secret)
        poller = TelegramPoller(
            api, OffsetStore(tmp_path / "o.json", DEFAULT_TOKEN), forwarder, 0
        )
        try:
            await poller.prepare()
            return await poller.poll_once()
        finally:
            await forwarder.close()
            await api.close()

    assert asyncio.run(go(SECRET)) == 2
    server.drain()
    assert [text for _, text in server.bot.received] == ["/greet", "/non_text_message"]
    # the privacy note, the greeting, the text-only reply
    assert len(fake.calls_to("sendMessage")) == 3


def test_polling_command_line_once(
    server: ChannelServer,
    fake: FakeTelegram,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``python -m bot.telegram_poll --once`` forwards what is queued and stores the offset."""
    monkeypatch.setenv("TELEGRAM_TOKEN", DEFAULT_TOKEN)
    monkeypatch.setenv("TELEGRAM_SECRET", SECRET)
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", fake.url)
    fake.queue_update(text_update(61, CHAT, "hallo"))
    path = tmp_path / "offset.json"
    assert (
        poll_main(["--once", "--rasa-url", server.url, "--offset-file", str(path)]) == 0
    )
    server.drain()
    assert server.bot.received == [(SENDER, "hallo")]
    assert json.loads(path.read_text())["bots"]
    assert OffsetStore(path, DEFAULT_TOKEN).load() == 62


def test_polling_with_wrong_secret_stops_with_a_clear_error(
    server: ChannelServer,
    fake: FakeTelegram,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A secret the server refuses is a configuration error: exit code 2, offset kept."""
    monkeypatch.setenv("TELEGRAM_TOKEN", DEFAULT_TOKEN)
    monkeypatch.setenv("TELEGRAM_SECRET", "iets-anders")
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", fake.url)
    fake.queue_update(text_update(71, CHAT, "hallo"))
    path = tmp_path / "offset.json"
    assert (
        poll_main(["--once", "--rasa-url", server.url, "--offset-file", str(path)]) == 2
    )
    assert server.bot.received == []
    assert OffsetStore(path, DEFAULT_TOKEN).load() is None


# ------------------------------------------------------------------------- the real bot
_chat_ids = iter(range(910_000, 990_000))
DOMAIN_DIR = Path(__file__).resolve().parents[2] / "domain"


def response_texts(name: str) -> List[str]:
    """The text variants of a domain response, as the channel sends them (HTML)."""
    for path in sorted(DOMAIN_DIR.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        variants = (data.get("responses") or {}).get(name)
        if variants:
            return [
                to_telegram_html(v["text"].strip()) for v in variants if v.get("text")
            ]
    raise AssertionError(f"response {name} not in the domain")


class StackChat:
    """One private Telegram chat with the running bot, through the fake Bot API."""

    def __init__(
        self, stack: Any, fake: FakeTelegram, secret: Optional[str] = None
    ) -> None:
        """A fresh chat id; updates go to the stack's Telegram webhook."""
        self.stack = stack
        self.fake = fake
        self.chat_id = next(_chat_ids)
        self.secret = stack.env["TELEGRAM_SECRET"] if secret is None else secret
        self.url = f"{stack.base_url}/webhooks/telegram/webhook"

    def post(self, update: Dict[str, Any], secret: Optional[str] = None) -> int:
        """POST an update to the bot's webhook; returns the HTTP status."""
        headers = {SECRET_HEADER: self.secret if secret is None else secret}
        return int(
            requests.post(
                self.url, json=update, headers=headers, timeout=60
            ).status_code
        )

    def uid(self) -> int:
        """A fresh update id."""
        return self.fake.next_update_id()

    def messages(self) -> List[ApiCall]:
        """Every sendMessage to this chat."""
        return self.fake.calls_to("sendMessage", self.chat_id)

    def keyboards(self) -> List[ApiCall]:
        """The sendMessage calls to this chat that carry an inline keyboard."""
        return [m for m in self.messages() if m.params.get("reply_markup")]

    def wait_for_message(self, test: Callable[[ApiCall], bool]) -> ApiCall:
        """Wait for a message to this chat that passes ``test``; return the latest one."""
        self.fake.wait_for(lambda _: any(test(m) for m in self.messages()), timeout=90)
        return [m for m in self.messages() if test(m)][-1]

    def press(self, data: str) -> str:
        """Press an inline button; wait for Telegram to be told; return the query id."""
        update = callback_update(self.uid(), self.chat_id, data)
        assert self.post(update) == 200
        query_id = update["callback_query"]["id"]
        self.fake.wait_for(
            lambda calls: any(
                c.method == "answerCallbackQuery"
                and c.params.get("callback_query_id") == query_id
                for c in calls
            ),
            timeout=90,
        )
        return str(query_id)


def starts_with(prefix: str) -> Callable[[ApiCall], bool]:
    """Message test: the text begins with ``prefix``."""
    return lambda m: str(m.params.get("text", "")).startswith(prefix)


def has_button(payload: str) -> Callable[[ApiCall], bool]:
    """Message test: an inline button carries ``payload``."""
    return lambda m: bool(m.params.get("reply_markup")) and any(
        k["callback_data"] == payload for k in all_keys(m)
    )


def start_questions(chat: StackChat) -> ApiCall:
    """/start, press "Start de vragen", pick the first relationship; return Vraag 1."""
    assert chat.post(command_update(chat.uid(), chat.chat_id, "/start")) == 200
    chat.wait_for_message(has_button("/start_questionnaire"))
    chat.press("/start_questionnaire")
    # Its answer payloads name "relationship_context" and are longer than Telegram's
    # 64-byte callback_data, so the channel sends them as short tokens ("~...").
    context_question = chat.wait_for_message(
        lambda m: bool(m.params.get("reply_markup"))
        and all(k["callback_data"].startswith("~") for k in all_keys(m))
    )
    chat.press(all_keys(context_question)[0]["callback_data"])
    return chat.wait_for_message(starts_with("Vraag 1 van"))


@pytest.mark.stack
def test_stack_start_gets_the_greeting_with_an_inline_keyboard(
    stack: Any, fake: FakeTelegram
) -> None:
    """/start through the real bot: the privacy note, then the greeting with buttons."""
    chat = StackChat(stack, fake)
    assert chat.post(command_update(chat.uid(), chat.chat_id, "/start")) == 200
    greeting = chat.wait_for_message(has_button("/start_questionnaire"))
    days = int(stack.env.get("HW_RETENTION_DAYS") or retention_days())
    assert chat.messages()[0].params["text"] == privacy_html(days)
    assert greeting.params["text"] in response_texts("utter_greet")
    assert greeting.params["parse_mode"] == "HTML"
    assert [k["text"] for k in all_keys(greeting)][0] == "Start de vragen"
    actions = fake.calls_to("sendChatAction", chat.chat_id)
    assert actions and actions[0].params["action"] == "typing"


@pytest.mark.stack
def test_stack_refuses_wrong_or_missing_secret(stack: Any, fake: FakeTelegram) -> None:
    """The real server answers 403 and sends nothing for a bad secret."""
    chat = StackChat(stack, fake)
    assert chat.post(command_update(chat.uid(), chat.chat_id, "/start"), "fout") == 403
    assert chat.post(command_update(chat.uid(), chat.chat_id, "/start"), "") == 403
    assert [
        c for c in fake.calls if str(c.params.get("chat_id")) == str(chat.chat_id)
    ] == []


@pytest.mark.stack
def test_stack_sticker_gets_the_text_only_reply(stack: Any, fake: FakeTelegram) -> None:
    """A sticker is answered with the kind "I can only read text" reply."""
    chat = StackChat(stack, fake)
    assert chat.post(sticker_update(chat.uid(), chat.chat_id)) == 200
    chat.wait_for_message(
        lambda m: m.params["text"] in response_texts("utter_non_text_message")
    )
    offer = chat.wait_for_message(lambda m: "0800-0113" in m.params.get("text", ""))
    assert "112" in offer.params["text"] and "1813" in offer.params["text"]


@pytest.mark.stack
def test_stack_duplicate_update_is_answered_once(
    stack: Any, fake: FakeTelegram
) -> None:
    """A re-delivered update gives no second reply (checked after a later update)."""
    chat = StackChat(stack, fake)
    update = command_update(chat.uid(), chat.chat_id, "/start")
    assert chat.post(update) == 200
    assert chat.post(update) == 200
    assert chat.post(sticker_update(chat.uid(), chat.chat_id)) == 200
    chat.wait_for_message(
        lambda m: m.params["text"] in response_texts("utter_non_text_message")
    )
    greetings = [m for m in chat.messages() if has_button("/start_questionnaire")(m)]
    assert len(greetings) == 1


@pytest.mark.stack
def test_stack_button_press_is_acknowledged_and_gives_the_next_question(
    stack: Any, fake: FakeTelegram
) -> None:
    """Pressing an answer button: answerCallbackQuery, then "Vraag 2 van N".

    The pressed keyboard shows the choice; a second answer to question 1 (a double
    tap) gets a pop-up and changes nothing.
    """
    chat = StackChat(stack, fake)
    first = start_questions(chat)
    keys = all_keys(first)
    assert keys[0]["callback_data"].startswith('/answer_question{"question_id":')
    query_id = chat.press(keys[0]["callback_data"])
    assert query_id.startswith("cbq-")
    second = chat.wait_for_message(starts_with("Vraag 2 van"))
    assert all_keys(second)[0]["callback_data"] != keys[0]["callback_data"]
    marks = [
        c.params["reply_markup"]
        for c in fake.calls_to("editMessageReplyMarkup", chat.chat_id)
        if c.params.get("reply_markup")
    ]
    assert chosen(keys[0]["text"]) in marks
    sent = len(chat.messages())
    query_id = chat.press(keys[1]["callback_data"])
    popup = [
        c
        for c in fake.calls_to("answerCallbackQuery")
        if c.params["callback_query_id"] == query_id
    ]
    assert popup[0].params["text"] == notice("expired_button")
    assert len(chat.messages()) == sent


@pytest.mark.stack
def test_stack_whole_questionnaire_through_telegram_ends_with_the_picture(
    stack: Any, fake: FakeTelegram
) -> None:
    """All reflective questions by button presses; the result picture via sendPhoto."""
    chat = StackChat(stack, fake)
    question = start_questions(chat)
    total = int(question.params["text"].split("\n")[0].split(" van ")[1])
    for number in range(1, total + 1):
        question = chat.wait_for_message(starts_with(f"Vraag {number} van {total}"))
        keys = all_keys(question)
        chat.press(keys[number % len(keys)]["callback_data"])
    photos = fake.wait_for_call("sendPhoto", chat_id=chat.chat_id, timeout=120)
    assert photos[0].files["photo"].startswith(b"\x89PNG")
    texts = " ".join(m.params["text"] for m in chat.messages())
    assert f"Vraag {total} van {total}" in texts


@pytest.mark.stack
def test_stack_polling_forwards_queued_updates_exactly_once(
    stack: Any, fake: FakeTelegram, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Polling mode against the real bot: answered once, offsets advance, no repeats."""
    for key in ("TELEGRAM_TOKEN", "TELEGRAM_SECRET", "TELEGRAM_API_BASE_URL"):
        monkeypatch.setenv(key, stack.env[key])
    chat = StackChat(stack, fake)
    first, second = chat.uid(), chat.uid()
    fake.queue_update(command_update(first, chat.chat_id, "/start"))
    fake.queue_update(sticker_update(second, chat.chat_id))
    path = tmp_path / "offset.json"
    args = ["--once", "--rasa-url", stack.base_url, "--offset-file", str(path)]
    assert poll_main(args) == 0
    chat.wait_for_message(
        lambda m: m.params["text"] in response_texts("utter_non_text_message")
    )
    assert OffsetStore(path, stack.env["TELEGRAM_TOKEN"]).load() == second + 1
    assert poll_main(args) == 0  # a restart: nothing new, nothing repeated
    third = chat.uid()
    fake.queue_update(text_update(third, chat.chat_id, "dank je wel"))
    assert poll_main(args) == 0
    chat.fake.wait_for(lambda _: len(chat.messages()) >= 3, timeout=90)
    assert OffsetStore(path, stack.env["TELEGRAM_TOKEN"]).load() == third + 1
    greetings = [m for m in chat.messages() if has_button("/start_questionnaire")(m)]
    assert len(greetings) == 1


# ------------------------------------------------------------------------- the real bot, in crisis
def wait_for_help_lines(chat: StackChat) -> ApiCall:
    """Wait for the help lines in this chat; return that message."""
    return chat.wait_for_message(has_help_lines)


@pytest.mark.stack
def test_stack_webhook_answers_after_the_reply_was_sent(
    stack: Any, fake: FakeTelegram
) -> None:
    """When the webhook's 200 arrives, the greeting has already gone out."""
    chat = StackChat(stack, fake)
    assert chat.post(command_update(chat.uid(), chat.chat_id, "/start")) == 200
    assert any(has_button("/start_questionnaire")(m) for m in chat.messages())


@pytest.mark.stack
@pytest.mark.parametrize("command", ["/help", "/start"])
def test_stack_command_with_crisis_words_gets_the_help_lines(
    stack: Any, fake: FakeTelegram, command: str
) -> None:
    """A command with crisis words after it is answered with the help lines."""
    chat = StackChat(stack, fake)
    update = command_update(chat.uid(), chat.chat_id, f"{command} {CRISIS_TEXT}")
    assert chat.post(update) == 200
    reply = wait_for_help_lines(chat)
    assert "113" in reply.params["text"] and "112" in reply.params["text"]
    assert not any(has_button("/start_questionnaire")(m) for m in chat.messages())


@pytest.mark.stack
def test_stack_command_with_harmless_words_still_runs(
    stack: Any, fake: FakeTelegram
) -> None:
    """/start with harmless words still gives the greeting with its buttons."""
    chat = StackChat(stack, fake)
    assert (
        chat.post(command_update(chat.uid(), chat.chat_id, "/start hallo daar")) == 200
    )
    greeting = chat.wait_for_message(has_button("/start_questionnaire"))
    assert greeting.params["text"] in response_texts("utter_greet")
    assert not any(has_help_lines(m) for m in chat.messages())


@pytest.mark.stack
def test_stack_edited_crisis_message_gets_the_help_lines(
    stack: Any, fake: FakeTelegram
) -> None:
    """An edit into a crisis text is answered like a new message: help lines."""
    chat = StackChat(stack, fake)
    assert chat.post(edited_update(chat.uid(), chat.chat_id, CRISIS_TEXT_2)) == 200
    reply = wait_for_help_lines(chat)
    assert "113" in reply.params["text"] and "112" in reply.params["text"]
    assert notice("edited_message") not in [m.params["text"] for m in chat.messages()]


@pytest.mark.stack
def test_stack_crisis_caption_gets_the_help_lines(
    stack: Any, fake: FakeTelegram
) -> None:
    """A photo with a crisis caption: the caption is read, the help lines come."""
    chat = StackChat(stack, fake)
    assert chat.post(photo_update(chat.uid(), chat.chat_id, CRISIS_TEXT)) == 200
    reply = wait_for_help_lines(chat)
    assert "113" in reply.params["text"] and "112" in reply.params["text"]


@pytest.mark.stack
def test_stack_group_crisis_text_gets_help_lines_note_and_leave(
    stack: Any, fake: FakeTelegram
) -> None:
    """Group: help lines, the privacy note, leaveChat; nothing is stored.

    A second crisis text gets the help lines again, the note not.
    """
    chat = StackChat(stack, fake)
    group = -chat.chat_id
    assert chat.post(group_update(chat.uid(), chat.chat_id, CRISIS_TEXT)) == 200
    assert chat.post(group_update(chat.uid(), chat.chat_id, CRISIS_TEXT_2)) == 200
    calls = [c for c in fake.calls if str(c.params.get("chat_id")) == str(group)]
    assert methods(calls) == [
        "sendMessage",
        "sendMessage",
        "leaveChat",
        "sendMessage",
        "leaveChat",
    ]
    assert has_help_lines(calls[0]) and has_help_lines(calls[3])
    assert calls[1].params["text"] == notice("group_chat")
    for chat_id in (group, chat.chat_id):
        for sender in (str(chat_id), telegram_sender_id(chat_id)):
            assert stack_conversation_events(stack, sender) == 0


@pytest.mark.stack
def test_stack_flood_control_twice_still_delivers_the_help_lines(
    stack: Any, fake: FakeTelegram
) -> None:
    """Flood control (429, retry after 1 s) twice: the help lines still arrive."""
    chat = StackChat(stack, fake)
    fake.fail(
        "sendMessage", 429, "Too Many Requests: retry after 1", times=2, retry_after=1
    )
    try:
        assert chat.post(text_update(chat.uid(), chat.chat_id, CRISIS_TEXT)) == 200
    finally:
        fake.clear_failures()
    sent = chat.messages()
    assert len(sent) >= 3 and all(has_help_lines(m) for m in sent[:3])
    reply = wait_for_help_lines(chat)
    assert "113" in reply.params["text"] and "112" in reply.params["text"]


@pytest.mark.stack
def test_stack_server_error_on_html_falls_back_to_plain_text(
    stack: Any, fake: FakeTelegram
) -> None:
    """Every HTML send answers 502: the help lines arrive as plain text."""
    chat = StackChat(stack, fake)
    fake.fail(
        "sendMessage", 502, "Bad Gateway", when=lambda p: p.get("parse_mode") == "HTML"
    )
    try:
        assert chat.post(text_update(chat.uid(), chat.chat_id, CRISIS_TEXT_2)) == 200
    finally:
        fake.clear_failures()
    plain = [m for m in chat.messages() if "parse_mode" not in m.params]
    assert plain and has_help_lines(plain[0])
    assert "113" in plain[0].params["text"] and "112" in plain[0].params["text"]
    assert "**" not in plain[0].params["text"] and "<b>" not in plain[0].params["text"]


def stack_conversation_events(stack: Any, sender_id: str) -> int:
    """How many events the stack's tracker store holds for ``sender_id``."""
    import sqlite3

    if not stack.db_path.exists():
        return 0
    with sqlite3.connect(stack.db_path) as db:
        tables = [r[0] for r in db.execute("select name from sqlite_master")]
        if "events" not in tables:
            return 0
        row = db.execute(
            "select count(*) from events where sender_id = ?", (sender_id,)
        ).fetchone()
    return int(row[0])

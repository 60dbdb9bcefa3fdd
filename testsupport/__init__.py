"""What the tests and the benchmarks both need to run the bot and talk to it.

A package of its own, beside ``tests`` and ``bench``: both import it, it imports
neither, and neither imports the other (``tests/test_import_boundaries.py`` checks
this). It holds no pytest fixtures and runs nothing at import.

- ``services``: throw-away PostgreSQL, Redis and nginx servers, the test secrets;
- ``stack``: a running action server + Rasa server (``start_stack``);
- ``replies`` and ``rest``: reading reply batches, REST conversations and what the
  SQLite tracker store keeps of them;
- ``socketio_person``: a socket.io client that behaves like the widget;
- ``fake_telegram`` and ``telegram_harness``: a fake Telegram Bot API server and the
  Telegram channel's routes with a scripted stand-in bot;
- ``scale_out``: nginx in front of two Rasa and two action servers, and the checks
  of a conversation run through it.
"""

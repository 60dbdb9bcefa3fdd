"""Hechtwijzer's custom actions (rasa-sdk action server).

One module per concern. Nothing runs at import time: content files are read
lazily through :mod:`actions.content_store`.
"""

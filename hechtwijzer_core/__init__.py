"""What the bot server (``bot/``) and the action server (``actions/``) share.

Pure Python with YAML: no Rasa, no rasa_sdk, no Sanic. Both servers import this
package and never each other (checked by ``.importlinter`` and
``tests/test_import_boundaries.py``). Nothing runs at import.
"""

"""``python -m bot.rasa_patches``: print the table of Rasa patches (Markdown)."""

from __future__ import annotations

from bot.rasa_patches import SUPPORTED_RASA, table

if __name__ == "__main__":
    print(f"Patches of Rasa {SUPPORTED_RASA} (bot/rasa_patches):\n")
    print(table())

"""Hechtwijzer's Rasa-side code: launcher, channels, NLU components, web widget."""

"""Input/output channels; every channel goes through :mod:`bot.channels.guard`."""

"""Input/output channels; every turn of every channel is :mod:`bot.channels.pipeline`."""

"""``python -m bot.rasa_patches.server run ...``: the ``rasa`` command, patched first.

``bot/serving.py`` starts every Rasa server this way: the patches are in place
before Rasa reads its arguments, loads channels or builds the agent, whatever the
channels are. Sanic's extra workers are forked from this process and inherit them.
"""

from __future__ import annotations

import sys
from typing import List, Optional

from bot.rasa_patches import UnsupportedRasaVersion, install


def main(argv: Optional[List[str]] = None) -> int:
    """Install the patches, then run Rasa's command line with ``argv``."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        applied = install()
    except UnsupportedRasaVersion as error:
        print(f"[hw] {error}", file=sys.stderr)
        return 2
    print(
        f"[hw] Rasa patches installed: {', '.join(applied)}",
        file=sys.stderr,
        flush=True,
    )
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", *args]
    rasa_main()
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Sending the picture of the two axes for stored results."""

from __future__ import annotations

import logging
from typing import Any, List, Mapping, Optional, Sequence, Tuple

from rasa_sdk.executor import CollectingDispatcher

from actions.result_picture import PicturePoint, picture_data_uri, render_picture
from actions.results.content import context_label, texts
from actions.results.records import Record

logger = logging.getLogger(__name__)


def _has_point(record: Mapping[str, Any]) -> bool:
    """True when a record has both concerns."""
    return record.get("self") is not None and record.get("other") is not None


def picture_points(
    items: Sequence[Tuple[str, Record]],
    self_check: Optional[Tuple[float, float]] = None,
) -> List[PicturePoint]:
    """One point per (context, record), labelled "jij" when alone; plus the self-check."""
    usable = [(context, record) for context, record in items if _has_point(record)]
    words = texts()["picture"]
    if len(usable) == 1:
        record = usable[0][1]
        points = [
            PicturePoint(
                float(record["self"]), float(record["other"]), str(words["point_label"])
            )
        ]
    else:
        points = [
            PicturePoint(float(r["self"]), float(r["other"]), context_label(context))
            for context, r in usable
        ]
    if self_check is not None:
        points.append(
            PicturePoint(
                float(self_check[0]),
                float(self_check[1]),
                str(words["self_check_label"]),
            )
        )
    return points


def send_picture(dispatcher: CollectingDispatcher, points: List[PicturePoint]) -> bool:
    """Send a picture of ``points``; a drawing failure never costs the words."""
    if not points:
        return False
    try:
        png = render_picture(points)
    except Exception:  # noqa: BLE001 - the words matter more than the picture
        logger.exception("could not draw the result picture")
        return False
    dispatcher.utter_message(image=picture_data_uri(png))
    return True

"""The result picture: two axes, four named quadrants and the person's point(s).

The horizontal axis is the image of self (left positive, right negative), the
vertical axis the image of the other (top positive, bottom negative), as in
Bartholomew's two-dimensional model. A band around each border is shaded as
"midden": a point there has an undecided dimension and belongs to no quadrant. All words come from the ``picture``
section of ``actions/content/results.yml``. Rendering uses the object-oriented
matplotlib API with the Agg canvas (no pyplot global state, thread-safe), and
matplotlib is imported only when a picture is drawn.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from actions.content_store import load_content
from actions.scoring import BORDER, MIDDLE_BAND

#: Quadrant corners as (x, y) axis fractions: x = self concern, y = other concern.
QUADRANT_POSITIONS: dict[str, tuple[float, float]] = {
    "secure": (0.25, 0.25),
    "anxious": (0.75, 0.25),
    "avoidant": (0.25, 0.75),
    "disorganised": (0.75, 0.75),
}
QUADRANT_COLOURS: dict[str, str] = {
    "secure": "#e3f2e1",
    "anxious": "#fdf0d8",
    "avoidant": "#e1ecf7",
    "disorganised": "#f6e1e6",
}
MIDDLE_COLOUR = "#ececec"
MIDDLE_LOW = float(BORDER - MIDDLE_BAND)
MIDDLE_WIDTH = float(2 * MIDDLE_BAND)
"""The middle band: a concern closer than the scoring's band to the border."""
POINT_COLOURS: tuple[str, ...] = ("#c0392b", "#1f5fa8", "#2e8b57", "#8e44ad", "#d35400")
FIGURE_INCHES = 4.2
DPI = 96
EDGE = 0.03


@dataclass(frozen=True)
class PicturePoint:
    """One point in the picture: both concerns in 0..1 and a short label."""

    self_concern: float
    other_concern: float
    label: str


def picture_texts() -> Mapping[str, Any]:
    """Return the Dutch words of the picture from the results content."""
    texts: Mapping[str, Any] = load_content("results")["picture"]
    return texts


def _clamp(value: float) -> float:
    """Keep a coordinate inside the plot so the marker stays visible."""
    return min(1.0 - EDGE, max(EDGE, float(value)))


def _label_alignment(x: float) -> str:
    """Align a point label so it stays inside the plot near the side edges."""
    if x > 0.85:
        return "right"
    if x < 0.15:
        return "left"
    return "center"


def render_picture(
    points: Sequence[PicturePoint], texts: Mapping[str, Any] | None = None
) -> bytes:
    """Draw the two axes, the quadrants and ``points``; return PNG bytes."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle

    words = texts if texts is not None else picture_texts()
    fig = Figure(figsize=(FIGURE_INCHES, FIGURE_INCHES), dpi=DPI)
    canvas = FigureCanvasAgg(fig)
    ax = fig.add_axes((0.1, 0.1, 0.86, 0.8))
    ax.set_xlim(0.0, 1.0)
    ax.set_ylim(1.0, 0.0)  # top = positive image of the other
    ax.set_xticks([])
    ax.set_yticks([])

    quadrants: Mapping[str, str] = words["quadrants"]
    for style, (cx, cy) in QUADRANT_POSITIONS.items():
        ax.add_patch(
            Rectangle(
                (cx - 0.25, cy - 0.25),
                0.5,
                0.5,
                facecolor=QUADRANT_COLOURS[style],
                edgecolor="none",
                zorder=0,
            )
        )
        ax.text(
            cx,
            cy - 0.2 if cy < 0.5 else cy + 0.2,
            quadrants[style],
            ha="center",
            va="center",
            fontsize=9,
            color="#444444",
            zorder=1,
        )
    for corner, width, height in (
        ((MIDDLE_LOW, 0.0), MIDDLE_WIDTH, 1.0),
        ((0.0, MIDDLE_LOW), 1.0, MIDDLE_WIDTH),
    ):
        ax.add_patch(
            Rectangle(
                corner,
                width,
                height,
                facecolor=MIDDLE_COLOUR,
                edgecolor="none",
                zorder=0.5,
            )
        )
    ax.axhline(0.5, color="#888888", linewidth=0.8, zorder=1)
    ax.axvline(0.5, color="#888888", linewidth=0.8, zorder=1)
    ax.text(
        0.5,
        0.5,
        words.get("middle", ""),
        ha="center",
        va="center",
        fontsize=8,
        color="#555555",
        bbox={"facecolor": MIDDLE_COLOUR, "edgecolor": "none", "pad": 1.5},
        zorder=2,
    )

    ax.set_xlabel(
        f"{words['positive']}  ←  {words['x_label']}  →  {words['negative']}",
        fontsize=9,
    )
    ax.set_ylabel(
        f"{words['negative']}  ←  {words['y_label']}  →  {words['positive']}",
        fontsize=9,
    )
    ax.set_title(words["title"], fontsize=11)

    for index, point in enumerate(points):
        colour = POINT_COLOURS[index % len(POINT_COLOURS)]
        x, y = _clamp(point.self_concern), _clamp(point.other_concern)
        ax.scatter([x], [y], s=70, color=colour, edgecolors="white", zorder=3)
        ax.annotate(
            point.label,
            (x, y),
            xytext=(0, 9 if y > 0.12 else -16),
            textcoords="offset points",
            ha=_label_alignment(x),
            fontsize=9,
            fontweight="bold",
            color=colour,
            zorder=4,
        )

    buffer = io.BytesIO()
    canvas.print_png(buffer)
    return buffer.getvalue()


def picture_data_uri(png: bytes) -> str:
    """Wrap PNG bytes in the ``data:image/png;base64,`` URI the channels expect."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")

"""Tests for actions/result_picture.py: a small valid PNG with the point where it belongs."""

from __future__ import annotations

import base64
import io

import pytest
from PIL import Image

from actions.result_picture import (
    DPI,
    FIGURE_INCHES,
    MIDDLE_COLOUR,
    MIDDLE_LOW,
    POINT_COLOURS,
    QUADRANT_COLOURS,
    PicturePoint,
    picture_data_uri,
    render_picture,
)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MAX_BYTES = 60_000


def pixels(png: bytes) -> Image.Image:
    """Decode PNG bytes into an RGB image."""
    return Image.open(io.BytesIO(png)).convert("RGB")


def point_pixel(
    image: Image.Image, self_concern: float, other_concern: float
) -> tuple[int, int]:
    """Where a point lands: axes at (0.1, 0.1, 0.86, 0.8), other axis inverted."""
    width, height = image.size
    x = (0.1 + 0.86 * self_concern) * width
    y = (0.1 + 0.8 * other_concern) * height
    return round(x), round(y)


def colour_at(image: Image.Image, xy: tuple[int, int]) -> tuple[int, int, int]:
    """The RGB colour of one pixel."""
    pixel = image.getpixel(xy)
    assert isinstance(pixel, tuple)
    return (int(pixel[0]), int(pixel[1]), int(pixel[2]))


def close_to(rgb: tuple[int, int, int], hex_colour: str, tolerance: int = 40) -> bool:
    """Whether an RGB pixel is near a #rrggbb colour."""
    target = tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return all(abs(a - b) <= tolerance for a, b in zip(rgb, target, strict=True))


def test_picture_is_a_valid_small_png() -> None:
    png = render_picture([PicturePoint(0.7, 0.3, "jij")])
    assert png.startswith(PNG_SIGNATURE)
    image = pixels(png)
    side = round(FIGURE_INCHES * DPI)
    assert abs(image.size[0] - side) <= 1 and abs(image.size[1] - side) <= 1
    assert len(png) < MAX_BYTES


def test_picture_with_five_relationships_stays_under_the_bound() -> None:
    points = [
        PicturePoint(0.1 + 0.2 * i, 0.9 - 0.2 * i, label)
        for i, label in enumerate(
            ["partner", "familie", "werk", "vrienden", "algemeen"]
        )
    ]
    assert len(render_picture(points)) < MAX_BYTES


@pytest.mark.parametrize("where", [(0.8, 0.2), (0.2, 0.8), (0.3, 0.3), (0.75, 0.75)])
def test_the_point_is_drawn_where_the_scores_put_it(where: tuple[float, float]) -> None:
    image = pixels(render_picture([PicturePoint(where[0], where[1], "")]))
    x, y = point_pixel(image, *where)
    assert close_to(colour_at(image, (x, y)), POINT_COLOURS[0])
    mirrored = point_pixel(image, 1 - where[0], 1 - where[1])
    assert not close_to(colour_at(image, mirrored), POINT_COLOURS[0])


def test_different_profiles_give_different_pictures() -> None:
    first = render_picture([PicturePoint(0.8, 0.2, "jij")])
    second = render_picture([PicturePoint(0.2, 0.8, "jij")])
    assert first != second


def test_each_relationship_gets_its_own_coloured_point() -> None:
    points = [PicturePoint(0.8, 0.2, "partner"), PicturePoint(0.2, 0.8, "werk")]
    image = pixels(render_picture(points))
    assert close_to(colour_at(image, point_pixel(image, 0.8, 0.2)), POINT_COLOURS[0])
    assert close_to(colour_at(image, point_pixel(image, 0.2, 0.8)), POINT_COLOURS[1])


def test_points_outside_the_range_are_kept_inside_the_plot() -> None:
    image = pixels(render_picture([PicturePoint(1.4, -0.3, "")]))
    x, y = point_pixel(image, 0.97, 0.03)
    assert close_to(colour_at(image, (x, y)), POINT_COLOURS[0])


def test_data_uri_round_trips() -> None:
    png = render_picture([PicturePoint(0.5, 0.5, "jij")])
    uri = picture_data_uri(png)
    assert uri.startswith("data:image/png;base64,")
    assert base64.b64decode(uri.split(",", 1)[1]) == png


def test_words_come_from_the_given_texts() -> None:
    words = {
        "title": "T",
        "x_label": "x",
        "y_label": "y",
        "positive": "+",
        "negative": "-",
        "point_label": "p",
        "quadrants": {s: s for s in ("secure", "anxious", "avoidant", "disorganised")},
    }
    assert render_picture([PicturePoint(0.5, 0.5, "p")], words) != render_picture(
        [PicturePoint(0.5, 0.5, "p")]
    )


@pytest.mark.parametrize("where", [(0.45, 0.2), (0.2, 0.55), (0.6, 0.9)])
def test_the_middle_band_is_shaded_and_belongs_to_no_quadrant(
    where: tuple[float, float],
) -> None:
    """A point with an undecided dimension does not sit inside a named quadrant."""
    image = pixels(render_picture([]))
    colour = colour_at(image, point_pixel(image, *where))
    assert close_to(colour, MIDDLE_COLOUR, tolerance=6)
    for quadrant in QUADRANT_COLOURS.values():
        assert not close_to(colour, quadrant, tolerance=6)


def test_outside_the_band_the_quadrant_colour_stays() -> None:
    image = pixels(render_picture([]))
    colour = colour_at(image, point_pixel(image, 0.2, 0.3))
    assert close_to(colour, QUADRANT_COLOURS["secure"], tolerance=6)
    assert abs(MIDDLE_LOW - 0.375) < 1e-9

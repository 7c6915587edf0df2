"""Looking at a made thumbnail: its size, and whether it shows anything."""

from __future__ import annotations

import io

from PIL import Image, ImageStat


def open_webp(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    assert image.format == "WEBP"
    return image


def ink(image: Image.Image) -> float:
    """The share of pixels clearly darker than paper (0 for a blank page)."""
    grey = image.convert("L")
    dark = sum(count for value, count in enumerate(grey.histogram()) if value < 160)
    return dark / (grey.width * grey.height)


def spread(image: Image.Image) -> float:
    return ImageStat.Stat(image.convert("L")).stddev[0]

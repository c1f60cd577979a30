"""The two Teams app icons, drawn with a tiny pure-Python PNG writer (no imaging library)."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable
from pathlib import Path

Pixel = tuple[int, int, int, int]
COLOUR_BG: Pixel = (0x1F, 0x4E, 0x79, 255)  # school navy
WHITE: Pixel = (255, 255, 255, 255)
CLEAR: Pixel = (0, 0, 0, 0)


def png(width: int, height: int, pixel: Callable[[int, int], Pixel]) -> bytes:
    """An RGBA PNG whose pixel (x, y) is ``pixel(x, y)``."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(
        b"\x00" + b"".join(bytes(pixel(x, y)) for x in range(width)) for y in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


def _speech_bubble(x: float, y: float) -> bool:
    """A rounded speech bubble with a tail, in unit coordinates (0..1)."""
    inside_box = 0.18 <= x <= 0.82 and 0.2 <= y <= 0.66
    tail = 0.3 <= x <= 0.45 and 0.66 <= y <= 0.82 and (y - 0.66) <= (0.45 - x)
    lines = any(abs(y - row) < 0.03 for row in (0.34, 0.43, 0.52)) and 0.28 <= x <= 0.72
    return (inside_box or tail) and not lines


def colour_icon() -> bytes:
    """192x192 colour icon: a white speech bubble on navy."""
    size = 192
    return png(size, size, lambda x, y: WHITE if _speech_bubble(x / size, y / size) else COLOUR_BG)


def outline_icon() -> bytes:
    """32x32 outline icon: white on transparent, as Teams requires."""
    size = 32
    return png(size, size, lambda x, y: WHITE if _speech_bubble(x / size, y / size) else CLEAR)


def write_icons(folder: Path) -> None:
    """(Re)write color.png and outline.png into ``folder``."""
    (folder / "color.png").write_bytes(colour_icon())
    (folder / "outline.png").write_bytes(outline_icon())


if __name__ == "__main__":
    write_icons(Path(__file__).resolve().parent / "package")

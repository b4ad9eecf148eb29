"""Photo loading: accepted formats, EXIF orientation, and every refusal (docs/posture.md,
"Photos accepted")."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageOps

from atlaschart.imaging import photos
from atlaschart.imaging.photos import (
    PhotoTooLarge,
    PhotoTooManyPixels,
    PhotoUnreadable,
    PhotoUnsupportedFormat,
    load_photo,
)


def _image(width: int = 40, height: int = 20) -> Image.Image:
    rgb = np.zeros((height, width, 3), np.uint8)
    rgb[:, : width // 2] = (255, 0, 0)  # left half red, right half black
    return Image.fromarray(rgb)


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_accepted_formats(tmp_path: Path, fmt: str) -> None:
    path = tmp_path / f"p.{fmt.lower()}"
    _image().save(path, format=fmt)
    photo = load_photo(path)
    assert (photo.width, photo.height, photo.format) == (40, 20, fmt)
    assert photo.rgb.shape == (20, 40, 3)


def test_exif_orientation_is_applied(tmp_path: Path) -> None:
    # Orientation 6 = "rotate 90° clockwise to display": a 40x20 file shows as 20x40, and its
    # left (red) half ends up on top.
    exif = Image.Exif()
    exif[0x0112] = 6
    path = tmp_path / "rotated.jpg"
    _image().save(path, format="JPEG", exif=exif, quality=95)
    photo = load_photo(path)
    assert (photo.width, photo.height) == (20, 40)
    assert photo.rgb[5, 10, 0] > 200 and photo.rgb[35, 10, 0] < 60


def test_bytes_and_streams_are_accepted() -> None:
    buffer = io.BytesIO()
    _image().save(buffer, format="PNG")
    assert load_photo(buffer.getvalue()).width == 40
    buffer.seek(0)
    assert load_photo(buffer).height == 20


def test_jpeg_draft_keeps_full_size_coordinates(tmp_path: Path) -> None:
    path = tmp_path / "big.jpg"
    _image(1600, 800).save(path, format="JPEG")
    photo = load_photo(path, max_side=400)
    assert (photo.width, photo.height) == (1600, 800)
    assert photo.rgb.shape[1] < 1600 and photo.rgb.shape[1] >= 400


@pytest.mark.parametrize(
    ("fmt", "error"),
    [
        pytest.param("GIF", PhotoUnsupportedFormat, id="gif"),
        pytest.param("BMP", PhotoUnsupportedFormat, id="bmp"),
        pytest.param("TIFF", PhotoUnsupportedFormat, id="tiff"),
    ],
)
def test_other_formats_are_refused(tmp_path: Path, fmt: str, error: type[Exception]) -> None:
    path = tmp_path / "x.img"
    _image().save(path, format=fmt)
    with pytest.raises(error) as info:
        load_photo(path)
    assert info.value.code == "photo.unsupported_format"  # type: ignore[attr-defined]
    assert "JPEG, PNG or WebP" in str(info.value)


def test_text_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.jpg"
    path.write_text("not an image")
    with pytest.raises(PhotoUnsupportedFormat):
        load_photo(path)


def test_truncated_jpeg_is_unreadable(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    _image(400, 400).save(buffer, format="JPEG")
    path = tmp_path / "cut.jpg"
    path.write_bytes(buffer.getvalue()[:600])
    with pytest.raises(PhotoUnreadable) as info:
        load_photo(path)
    assert info.value.code == "photo.unreadable"


def test_missing_and_empty_files_are_unreadable(tmp_path: Path) -> None:
    with pytest.raises(PhotoUnreadable):
        load_photo(tmp_path / "nope.png")
    (tmp_path / "empty.png").write_bytes(b"")
    with pytest.raises(PhotoUnreadable):
        load_photo(tmp_path / "empty.png")


def test_more_than_25_mb_is_refused_before_decoding(tmp_path: Path) -> None:
    path = tmp_path / "huge.png"
    path.write_bytes(b"\0" * (25 * 1024 * 1024 + 1))
    with pytest.raises(PhotoTooLarge) as info:
        load_photo(path)
    assert info.value.code == "photo.too_large"
    with pytest.raises(PhotoTooLarge):
        load_photo(io.BytesIO(b"\0" * (25 * 1024 * 1024 + 1)))


def test_exactly_25_mb_is_not_refused_for_size(tmp_path: Path) -> None:
    path = tmp_path / "edge.png"
    path.write_bytes(b"\0" * (25 * 1024 * 1024))
    with pytest.raises(PhotoUnsupportedFormat):  # passes the size check, fails the format
        load_photo(path)


def test_more_than_40_megapixels_is_refused(tmp_path: Path) -> None:
    # 8000 x 5001 = 40,008,000 pixels, from a tiny PNG (one colour compresses well).
    path = tmp_path / "wide.png"
    Image.new("L", (8000, 5001)).save(path, format="PNG")
    with pytest.raises(PhotoTooManyPixels) as info:
        load_photo(path)
    assert info.value.code == "photo.too_many_pixels"
    assert "40 megapixels" in str(info.value)


def test_pixel_limit_boundary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(photos, "MAX_PIXELS", 40 * 20)
    path = tmp_path / "p.png"
    _image(40, 20).save(path)
    assert load_photo(path).width == 40  # exactly at the limit
    _image(41, 20).save(path)
    with pytest.raises(PhotoTooManyPixels):
        load_photo(path)


def _asymmetric(width: int = 6, height: int = 4) -> Image.Image:
    """Every pixel different, so any wrong flip or turn changes the array."""
    values = np.arange(width * height * 3, dtype=np.uint8).reshape(height, width, 3)
    return Image.fromarray(values * 3)


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
@pytest.mark.parametrize("orientation", range(1, 9))
def test_every_exif_orientation_matches_pillow(fmt: str, orientation: int) -> None:
    # PNG and WebP pixels come from OpenCV with the orientation applied by photos._upright; the
    # reference is Pillow's own exif_transpose (EXIF 2.32 §4.6.4, tag 0x0112, values 1–8).
    exif = Image.Exif()
    exif[0x0112] = orientation
    buffer = io.BytesIO()
    _asymmetric().save(buffer, format=fmt, exif=exif, lossless=True)
    with Image.open(io.BytesIO(buffer.getvalue())) as stored:
        expected = np.asarray(ImageOps.exif_transpose(stored).convert("RGB"))
    photo = load_photo(buffer.getvalue())
    assert (photo.width, photo.height) == (expected.shape[1], expected.shape[0])
    np.testing.assert_array_equal(photo.rgb, expected)


def _chunks(png: bytes) -> list[bytes]:
    """A PNG's chunks, each as its raw bytes (length, type, data, CRC; PNG spec §5.3)."""
    chunks, at = [], 8
    while at < len(png):
        length = int.from_bytes(png[at : at + 4], "big")
        chunks.append(png[at : at + 12 + length])
        at += 12 + length
    return chunks


def test_png_exif_after_the_pixel_data_is_honoured() -> None:
    # Pillow writes eXIf before IDAT; move it after (allowed by PNG extensions 1.5.0) so the
    # header alone cannot tell the orientation.
    exif = Image.Exif()
    exif[0x0112] = 6
    buffer = io.BytesIO()
    _asymmetric().save(buffer, format="PNG", exif=exif)
    png = buffer.getvalue()
    chunks = _chunks(png)
    exif_chunk = next(c for c in chunks if c[4:8] == b"eXIf")
    rest = [c for c in chunks if c is not exif_chunk]
    moved = png[:8] + b"".join(rest[:-1]) + exif_chunk + rest[-1]  # just before IEND
    with Image.open(io.BytesIO(moved)) as probe:
        assert "exif" not in probe.info  # not seen until the pixels are decoded
    photo = load_photo(moved)
    assert (photo.width, photo.height) == (4, 6)
    np.testing.assert_array_equal(photo.rgb, np.rot90(np.asarray(_asymmetric()), k=-1))


def test_damaged_png_pixels_are_unreadable() -> None:
    buffer = io.BytesIO()
    _asymmetric(60, 40).save(buffer, format="PNG")
    chunks = _chunks(buffer.getvalue())
    idat = next(c for c in chunks if c[4:8] == b"IDAT")
    broken = buffer.getvalue().replace(idat[8:-4], bytes(len(idat) - 12))  # zeroed pixel data
    with pytest.raises(PhotoUnreadable):
        load_photo(broken)

import numpy as np
import pytest
from PIL import Image

from utils import images


def _save(tmp_path, img, name, **kw):
    path = tmp_path / name
    img.save(path, **kw)
    return path


@pytest.mark.parametrize(
    "mode,fmt",
    [("RGB", "JPEG"), ("RGB", "PNG"), ("L", "PNG"), ("L", "JPEG"), ("CMYK", "JPEG"), ("LA", "PNG"), ("I;16", "PNG")],
)
def test_modes_become_rgb_float(tmp_path, mode, fmt):
    img = Image.new(mode, (40, 30))
    path = _save(tmp_path, img, f"x.{fmt.lower()}", format=fmt)
    arr = images.load_image(path)
    assert arr.shape == (30, 40, 3) and arr.dtype == np.float32
    assert 0 <= arr.min() and arr.max() <= 255


def test_rgba_transparent_becomes_white(tmp_path):
    img = Image.new("RGBA", (10, 10), (255, 0, 0, 0))
    img.putpixel((0, 0), (255, 0, 0, 255))
    arr = images.load_image(_save(tmp_path, img, "a.png"))
    np.testing.assert_allclose(arr[5, 5], [255, 255, 255])
    np.testing.assert_allclose(arr[0, 0], [255, 0, 0])


def test_palette_with_transparency(tmp_path):
    img = Image.new("P", (8, 8), 1)
    img.putpalette([0, 0, 0, 0, 0, 255] + [0] * 762)
    img.info["transparency"] = 0
    img.putpixel((0, 0), 0)
    arr = images.load_image(_save(tmp_path, img, "p.png", transparency=0))
    np.testing.assert_allclose(arr[0, 0], [255, 255, 255])  # 透明 → 白
    np.testing.assert_allclose(arr[4, 4], [0, 0, 255])


def test_sixteen_bit_scaled(tmp_path):
    img = Image.fromarray(np.full((4, 4), 65535, np.uint16))
    arr = images.load_image(_save(tmp_path, img, "g16.png"))
    np.testing.assert_allclose(arr, 255)


def test_exif_rotation_applied(tmp_path):
    img = Image.new("RGB", (60, 20), (0, 255, 0))
    exif = Image.Exif()
    exif[0x0112] = 6  # 90° 回転して表示する縦撮り写真
    arr = images.load_image(_save(tmp_path, img, "rot.jpg", exif=exif))
    assert arr.shape == (60, 20, 3)


def test_resize(tmp_path):
    path = _save(tmp_path, Image.new("RGB", (100, 50)), "r.png")
    assert images.load_image(path, size=32).shape == (32, 32, 3)
    assert images.load_image(path, size=(24, 48)).shape == (24, 48, 3)


def test_errors_are_clear(tmp_path, monkeypatch):
    with pytest.raises(FileNotFoundError, match="見つかりません"):
        images.load_image(tmp_path / "none.jpg")
    (tmp_path / "t.jpg").write_text("これは画像ではありません")
    with pytest.raises(images.ImageLoadError, match="画像として読めません"):
        images.load_image(tmp_path / "t.jpg")
    good = _save(tmp_path, Image.new("RGB", (64, 64), (1, 2, 3)), "cut.jpg", quality=95)
    good.write_bytes(good.read_bytes()[:200])
    with pytest.raises(images.ImageLoadError, match="壊れているか"):
        images.load_image(good)
    with pytest.raises(images.ImageLoadError, match="ディレクトリ"):
        images.load_image(tmp_path)
    monkeypatch.setattr(images, "MAX_PIXELS", 1000)
    big = _save(tmp_path, Image.new("RGB", (100, 100)), "big.png")
    with pytest.raises(images.ImageLoadError, match="大きすぎます"):
        images.load_image(big)


@pytest.mark.realdata
def test_real_photos(realdata):
    paths = sorted((realdata / "images").glob("*.jpg"))
    assert paths
    for path in paths:
        arr = images.load_image(path, size=224)
        assert arr.shape == (224, 224, 3) and arr.std() > 10


# --- ビット深度・モードごとの明るさ ----------------------------------------------------------


@pytest.mark.parametrize("level", [0, 10, 128, 200, 255])
def test_sixteen_bit_png_keeps_brightness(tmp_path, level):
    # 暗い 16 bit 画像 (最大値が 255 以下) も 65535 を満点として扱う (8 bit と取り違えて明るくしない)
    arr16 = np.full((6, 5), level * 257, np.uint16)
    path = _save(tmp_path, Image.fromarray(arr16), "g16.png")
    assert Image.open(path).mode.startswith("I")
    np.testing.assert_allclose(images.load_image(path), level)


def test_sixteen_bit_dark_gradient_is_not_stretched(tmp_path):
    arr16 = np.linspace(0, 255, 30 * 40).reshape(30, 40).astype(np.uint16)  # 16 bit で見るとほぼ黒
    path = _save(tmp_path, Image.fromarray(arr16), "dark16.png")
    assert images.load_image(path).max() <= 1.0


@pytest.mark.parametrize(
    "mode,value,expected",
    [
        ("1", 1, 255),
        ("L", 77, 77),
        ("I", 65535, 255),
        ("I", 257 * 100, 100),
        ("I;16B", 257 * 50, 50),
        ("F", 0.5, 128),
        ("F", 1.0, 255),
        ("F", float("nan"), 0),
        ("HSV", (0, 0, 200), 200),
        ("YCbCr", (90, 128, 128), 90),
        ("LAB", (255, 128, 128), 254.5),
        ("CMYK", (0, 0, 0, 0), 255),
        ("RGBX", (40, 40, 40, 0), 40),
        ("LA", (60, 255), 60),
        ("La", (60, 255), 60),
        ("RGBa", (30, 30, 30, 255), 30),
        ("PA", (0, 255), 0),
    ],
)
def test_every_mode_becomes_rgb_with_the_right_brightness(tmp_path, mode, value, expected):
    img = Image.new(mode, (7, 5), value)
    path = tmp_path / "m.tiff"
    try:
        img.save(path)
    except (OSError, KeyError, ValueError):  # TIFF に保存できないモードはメモリ上の画像で確かめる
        from utils.images import _to_rgb

        got = np.asarray(_to_rgb(img), np.float32)
    else:
        got = images.load_image(path)
    assert got.shape == (5, 7, 3)
    np.testing.assert_allclose(got, expected, atol=1.0)


def test_sixteen_bit_rgb_png_made_with_numpy(tmp_path):
    # 16 bit RGB の PNG を zlib で組み立てる (Pillow では書けない)
    import struct
    import zlib

    h, w = 3, 4
    pixel = struct.pack(">HHH", 65535, 257 * 128, 0)
    raw = b"".join(b"\0" + pixel * w for _ in range(h))

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 16, 2, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
    (tmp_path / "rgb16.png").write_bytes(png)
    np.testing.assert_allclose(images.load_image(tmp_path / "rgb16.png")[0, 0], [255, 128, 0])


# --- size の検証とメモリ -----------------------------------------------------------------


@pytest.mark.parametrize("bad", [0, -1, True, False, 2.5, "224", (224,), (224, 0), (224, 2.0), (True, 3), [1, 2, 3]])
def test_bad_size_is_a_clear_error(tmp_path, bad):
    path = _save(tmp_path, Image.new("RGB", (10, 10)), "s.png")
    with pytest.raises(images.ParameterError, match=r"パラメータ size = .* は使えません。正の整数"):
        images.load_image(path, size=bad)


def test_numpy_sizes_are_accepted(tmp_path):
    path = _save(tmp_path, Image.new("RGB", (10, 10)), "s.png")
    assert images.load_image(path, size=np.int64(4)).shape == (4, 4, 3)
    assert images.load_image(path, size=(np.int32(3), 5)).shape == (3, 5, 3)
    with pytest.raises(images.ParameterError, match="大きすぎます"):
        images.load_image(path, size=100_000)


def test_pixel_limit_is_checked_from_the_header_without_touching_pil_globals(tmp_path, monkeypatch):
    before = Image.MAX_IMAGE_PIXELS
    monkeypatch.setattr(images, "MAX_PIXELS", 5000)
    big = _save(tmp_path, Image.new("RGB", (100, 100)), "big.png")
    with pytest.raises(images.ImageLoadError, match=r"大きすぎます \(上限 5,000 画素、この画像は 100×100\)"):
        images.load_image(big)
    assert Image.MAX_IMAGE_PIXELS == before
    # JPEG は size があればデコード時に縮小するので、縮小後が上限以下なら読める
    photo = _save(tmp_path, Image.new("RGB", (400, 400), (9, 99, 199)), "big.jpg", quality=95)
    arr = images.load_image(photo, size=16)
    assert arr.shape == (16, 16, 3) and abs(arr[8, 8, 2] - 199) < 4
    with pytest.raises(images.ImageLoadError, match="大きすぎます"):
        images.load_image(photo)


def test_jpeg_draft_matches_full_decode(tmp_path):
    rng = np.random.default_rng(0)
    small = rng.integers(0, 255, (12, 16, 3), dtype=np.uint8)
    img = Image.fromarray(small).resize((640, 480), Image.Resampling.BICUBIC)
    path = _save(tmp_path, img, "p.jpg", quality=95)
    got = images.load_image(path, size=(48, 64))
    ref = np.asarray(Image.open(path).convert("RGB").resize((64, 48), Image.Resampling.BICUBIC), np.float32)
    assert np.abs(got - ref).mean() < 3


def test_float_output_memory_is_bounded(tmp_path):
    import tracemalloc

    path = _save(tmp_path, Image.new("RGBA", (1000, 1000), (1, 2, 3, 128)), "m.png")
    tracemalloc.start()
    arr = images.load_image(path)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert arr.nbytes == 12_000_000
    assert peak < 2.2 * arr.nbytes  # numpy 側の確保は結果 (12 バイト/画素) + 中間 1 つ程度まで


def test_empty_file(tmp_path):
    (tmp_path / "e.png").write_bytes(b"")
    with pytest.raises(images.ImageLoadError, match="空のファイル"):
        images.load_image(tmp_path / "e.png")

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

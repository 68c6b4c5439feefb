"""``ocop new producer|product``: records written for producers who do not write YAML.

Each record is written into a scratch catalog and checked by the real validator; photos
are checked as the validator and the build read them (upright, within the limits).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from ocop_catalog.cli import main
from ocop_catalog.new import suggest_slug
from PIL import Image
from ocop_catalog.new import _version_for
from ocop_catalog.settings import build_date
from scratch import (PRODUCER, TODAY, build_catalog, lossless_jpeg, noisy_jpeg, position_in,
                     summary)
from siteutil import answer_in_terminal, ocop_command

PRODUCER_FLAGS = ["--name", "HTX Chè Tả Van", "--type", "HTX", "--representative",
                  "Nguyễn Thị Bình", "--commune", "08914", "--phone", "+84 912 345 678",
                  "--email", "htx-che@example.com", "--description", "HTX trồng chè Shan tuyết."]


def product_flags(*photos: Path, alts: tuple[str, ...] = ()) -> list[str]:
    flags = ["--name", "Chè Shan tuyết Tả Van", "--summary", "Chè Shan tuyết búp khô.",
             "--description", "Chè hái từ cây cổ thụ, **sao tay**.", "--criteria-set", "1",
             "--price", "150000", "--unit", "gói 200 g"]
    if photos:
        flags += ["--photo", *map(str, photos)]
    for alt in alts:
        flags += ["--alt", alt]
    return flags


@pytest.fixture
def repo(tmp_path, monkeypatch):
    scratch = build_catalog(tmp_path / "repo")
    monkeypatch.chdir(scratch.root)
    return scratch


def run(*args: str) -> int:
    """``ocop …`` in this process; a usage error's exit status is returned too."""
    try:
        return main(list(args))
    except SystemExit as exc:
        return int(exc.code)


def jpeg(path: Path, size=(800, 600), exif_orientation: int | None = None) -> Path:
    """A JPEG whose left half is red and right half blue."""
    image = Image.new("RGB", size, (0, 0, 255))
    image.paste((255, 0, 0), (0, 0, size[0] // 2, size[1]))
    kwargs = {}
    if exif_orientation:
        exif = Image.Exif()
        exif[0x0112] = exif_orientation
        kwargs["exif"] = exif
    image.save(path, "JPEG", quality=95, **kwargs)
    return path


def errors(repo) -> list[tuple]:
    return [i for i in summary(repo.validate().issues) if i[1] == "error"]


def test_a_producer_and_a_product_made_with_flags_validate(repo, tmp_path, capsys):
    assert run("new", "producer", *PRODUCER_FLAGS) == 0
    record = repo.read("products/htx-che-ta-van/producer.yml")
    assert record.startswith("# yaml-language-server: $schema=../../schema/producer.schema.json")
    photo = jpeg(tmp_path / "IMG_0001.JPG")
    assert run("new", "product", "htx-che-ta-van", *product_flags(photo, alts=("Gói chè",))) == 0
    folder = repo.path("products/htx-che-ta-van/che-shan-tuyet-ta-van")
    assert sorted(p.name for p in folder.iterdir()) == ["1.jpg", "product.yml"]
    product = (folder / "product.yml").read_text(encoding="utf-8")
    assert "$schema=../../../schema/product.schema.json" in product
    # the criteria in force today; no stars: only the office's register grants them
    assert f'"{_version_for(build_date())}"' in product
    assert "certification" not in product and "stars" not in product
    assert '"08914"' in product  # the origin: the producer's commune
    assert "Gói chè" in product
    assert errors(repo) == []
    # not published until the office records the decision that recognises it
    assert ("no_decision", "warning", "products/htx-che-ta-van/che-shan-tuyet-ta-van/product.yml",
            *position_in(product, "id: "), "id") in summary(repo.validate().issues)
    repo.certify("che-shan-tuyet-ta-van", date="2026-02-01", criteria=_version_for(build_date()))
    assert "che-shan-tuyet-ta-van" in repo.validate().catalog.products
    # and as the command line reports it
    capsys.readouterr()
    assert run("validate", "--today", TODAY.isoformat()) == 0
    assert "0 error(s)" in capsys.readouterr().out


def test_without_a_terminal_a_missing_value_is_a_usage_error(repo, capsys):
    flags = [f for f in PRODUCER_FLAGS]
    del flags[flags.index("--representative"):flags.index("--representative") + 2]
    assert run("new", "producer", *flags) == 2
    assert "--representative" in capsys.readouterr().err
    assert not repo.path("products/htx-che-ta-van").exists()
    assert run("new", "producer", *PRODUCER_FLAGS, "--type", "HTXX") == 2
    assert run("new", "producer", *PRODUCER_FLAGS, "--commune", "99999") == 2
    assert "regions.yml" in capsys.readouterr().err
    assert run("new", "product", "htx-che-ta-van", *product_flags()) == 1  # no producer yet
    assert "ocop new producer" in capsys.readouterr().err


def test_an_existing_record_is_not_overwritten(repo, tmp_path, capsys):
    before = repo.fingerprint()
    assert run("new", "producer", PRODUCER, *PRODUCER_FLAGS) == 1
    err = capsys.readouterr().err
    assert "không ghi đè" in err and "not overwritten" in err
    photo = jpeg(tmp_path / "a.jpg")
    assert run("new", "product", PRODUCER, "mat-ong-hoa-rung",
               *product_flags(photo, alts=("x y",))) == 1
    assert "không ghi đè" in capsys.readouterr().err
    assert repo.fingerprint() == before


def test_an_id_that_is_no_slug_gets_a_suggestion(repo, capsys):
    assert suggest_slug("HTX Chè Tả Van") == "htx-che-ta-van"
    assert suggest_slug("Đặc sản Đồng Tháp – Bánh  phồng!") == "dac-san-dong-thap-banh-phong"
    assert run("new", "producer", "HTX Chè Tả Van", *PRODUCER_FLAGS) == 2
    assert "htx-che-ta-van" in capsys.readouterr().err
    assert not repo.path("products/HTX Chè Tả Van").exists()


def test_questions_are_asked_in_vietnamese_in_a_terminal(repo):
    """Run in a terminal (a pseudo-terminal here), ``ocop new`` asks for what is missing."""
    # the id: empty, the suggestion; the type first wrong, then right; no e-mail
    code, text = answer_in_terminal(
        [*ocop_command(), "new", "producer", "--phone", "0912345678"],
        ["HTX Chè Tả Van", "", "XYZ", "htx", "Nguyễn Thị Bình", "08914", "", "HTX trồng chè."],
        cwd=repo.root)
    assert code == 0, text
    for question in ("Tên chủ thể", "Mã chủ thể", "[htx-che-ta-van]", "Loại chủ thể",
                     "Người đại diện", "Mã xã/phường", "Thư điện tử", "chọn một trong"):
        assert question in text, text
    record = repo.read("products/htx-che-ta-van/producer.yml")
    assert "type: HTX" in record and "email" not in record.split("contact:")[1].split("#")[0]
    assert errors(repo) == []


def test_photos_are_turned_upright(repo, tmp_path):
    assert run("new", "producer", *PRODUCER_FLAGS) == 0
    # stored 800 × 600 with the camera's "rotate 90° clockwise" tag: shown 600 × 800, red on top
    photo = jpeg(tmp_path / "rotated.jpg", (800, 600), exif_orientation=6)
    plain = jpeg(tmp_path / "plain.png.jpg", (700, 700))
    assert run("new", "product", "htx-che-ta-van", "che",
               *product_flags(photo, plain, alts=("Gói chè", "Đồi chè"))) == 0
    folder = repo.path("products/htx-che-ta-van/che")
    with Image.open(folder / "1.jpg") as image:
        assert image.format == "JPEG" and image.size == (600, 800)
        assert image.getexif().get(0x0112) in (None, 1)
        red, _, blue = image.getpixel((300, 100))
        assert red > 200 and blue < 60, image.getpixel((300, 100))
    with Image.open(folder / "2.jpg") as image:
        assert image.size == (700, 700)
    assert "Đồi chè" in (folder / "product.yml").read_text(encoding="utf-8")
    assert errors(repo) == []


@pytest.mark.parametrize("limit", ["photo_max_pixels: 500000", "photo_max_bytes: 300000"])
def test_an_oversized_photo_is_downscaled_with_a_notice(repo, tmp_path, capsys, limit):
    key = limit.split(":")[0]
    repo.edit("site_config.yml", f"{key}: {'50000000' if 'pixels' in key else '15728640'}",
              limit)
    assert run("new", "producer", *PRODUCER_FLAGS) == 0
    big = tmp_path / "big.jpg"
    big.write_bytes(noisy_jpeg(1000))  # 1 000 000 px, about 1 MB
    assert run("new", "product", "htx-che-ta-van", "che", *product_flags(big, alts=("x",))) == 0
    err = capsys.readouterr().err
    assert "đã thu nhỏ" in err and "1000 × 1000" in err
    written = repo.path("products/htx-che-ta-van/che/1.jpg")
    with Image.open(written) as image:
        assert image.width * image.height <= 500_000 or written.stat().st_size <= 300_000
        assert min(image.size) >= 500
    assert errors(repo) == []


@pytest.mark.parametrize("kind", ["lossless", "mpo"])
def test_an_oversized_jpeg_of_another_kind_is_downscaled(repo, tmp_path, capsys, kind):
    """A lossless JPEG is not decoded at a fraction of its size (libjpeg would fill a buffer
    Pillow made for the fraction with the whole picture: Pillow 13 calls it broken); a
    phone's JPEG with more pictures after the photo ("MPO") is, as any JPEG."""
    repo.edit("site_config.yml", "photo_max_pixels: 50000000", "photo_max_pixels: 500000")
    assert run("new", "producer", *PRODUCER_FLAGS) == 0
    big = tmp_path / "big.jpg"
    if kind == "lossless":
        big.write_bytes(lossless_jpeg(1600, 1300, flat=True))  # over 4× the limit: halved
    else:
        photo = Image.linear_gradient("L").resize((1600, 1300)).convert("RGB")
        photo.save(big, format="MPO", save_all=True, append_images=[Image.new("L", (400, 325))])
    assert run("new", "product", "htx-che-ta-van", "che", *product_flags(big, alts=("x",))) == 0
    err = capsys.readouterr().err
    assert "đã thu nhỏ" in err and "1600 × 1300" in err
    with Image.open(repo.path("products/htx-che-ta-van/che/1.jpg")) as image:
        assert image.format == "JPEG" and image.width * image.height <= 500_000
        assert min(image.size) >= 500
    assert errors(repo) == []


@pytest.mark.parametrize("name, head", [
    ("IMG_0002.HEIC", b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic"),
    ("photo.jpg", b"\x00\x00\x00\x1cftypmif1\x00\x00\x00\x00mif1heix"),  # renamed, still HEIF
])
def test_a_heic_photo_is_refused_with_the_fix(repo, tmp_path, capsys, name, head):
    assert run("new", "producer", *PRODUCER_FLAGS) == 0
    photo = tmp_path / name
    photo.write_bytes(head + bytes(200))
    assert run("new", "product", "htx-che-ta-van", "che",
               *product_flags(photo, alts=("x",))) == 1
    err = capsys.readouterr().err
    assert "Tương thích nhất" in err and "Most Compatible" in err
    assert not repo.path("products/htx-che-ta-van/che").exists()


def test_a_tiny_photo_is_refused(repo, tmp_path, capsys):
    assert run("new", "producer", *PRODUCER_FLAGS) == 0
    tiny = jpeg(tmp_path / "tiny.jpg", (640, 320))
    assert run("new", "product", "htx-che-ta-van", "che", *product_flags(tiny, alts=("x",))) == 1
    err = capsys.readouterr().err
    assert "640 × 320" in err and "500" in err
    assert not repo.path("products/htx-che-ta-van/che").exists()
    not_image = tmp_path / "notes.jpg"
    not_image.write_bytes(b"hello")
    assert run("new", "product", "htx-che-ta-van", "che",
               *product_flags(not_image, alts=("x",))) == 1


def test_each_photo_needs_its_alt_text(repo, tmp_path, capsys):
    assert run("new", "producer", *PRODUCER_FLAGS) == 0
    photo = jpeg(tmp_path / "a.jpg")
    assert run("new", "product", "htx-che-ta-van", "che", *product_flags(photo)) == 2
    assert "--alt" in capsys.readouterr().err
    assert not repo.path("products/htx-che-ta-van/che").exists()


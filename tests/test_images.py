from __future__ import annotations

import os
import shutil
import struct

import pytest
from PIL import ExifTags, Image, ImageCms

from ocop_catalog.edition.images import (DEFAULT_WIDTHS, ImageError, ImagePipeline,
                                         MediaOptionError, MediaOptions, parse_media_options)
from ocop_catalog.edition.images import publish_images as publish

RED, GREEN, BLUE, YELLOW = (220, 30, 30), (30, 200, 30), (30, 30, 220), (230, 220, 30)
WHITE = (255, 255, 255)


def quadrants(size=(1200, 900), mode="RGB") -> Image.Image:
    """Red top-left, green top-right, blue bottom-left, yellow bottom-right."""
    w, h = size
    image = Image.new(mode, size)
    for colour, box in ((RED, (0, 0)), (GREEN, (w // 2, 0)), (BLUE, (0, h // 2)),
                        (YELLOW, (w // 2, h // 2))):
        image.paste(colour, (*box, box[0] + (w + 1) // 2, box[1] + (h + 1) // 2))
    return image


def save(image: Image.Image, path, **params):
    image.save(path, **({"quality": 95} if path.suffix == ".jpg" else {}) | params)
    return path


def near(pixel, colour, tolerance=40):
    return all(abs(a - b) <= tolerance for a, b in zip(pixel[:3], colour))


def outputs(processed):
    return [*processed.variants, *([processed.square] if processed.square else [])]


def webp_chunks(data: bytes) -> list[bytes]:
    assert data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    chunks, offset = [], 12
    while offset + 8 <= len(data):
        name, size = data[offset:offset + 4], struct.unpack("<I", data[offset + 4:offset + 8])[0]
        chunks.append(name)
        offset += 8 + size + (size & 1)
    return chunks


def swapped_primaries_profile() -> bytes:
    """A minimal ICC v2 RGB profile whose red primary is sRGB's blue and vice versa."""
    def xyz(x, y, z):
        return b"XYZ \0\0\0\0" + struct.pack(">3i", *(round(v * 65536) for v in (x, y, z)))
    curve = b"curv\0\0\0\0" + struct.pack(">I", 0)  # identity
    tags = [(b"wtpt", xyz(0.9642, 1.0, 0.8249)), (b"rXYZ", xyz(0.1431, 0.0606, 0.7141)),
            (b"gXYZ", xyz(0.3851, 0.7169, 0.0971)), (b"bXYZ", xyz(0.4361, 0.2225, 0.0139)),
            (b"rTRC", curve), (b"gTRC", curve), (b"bTRC", curve)]
    offset, table, body = 128 + 4 + 12 * len(tags), b"", b""
    for signature, data in tags:
        table += signature + struct.pack(">II", offset + len(body), len(data))
        body += data
    size = 128 + 4 + len(table) + len(body)
    header = (struct.pack(">I", size) + b"lcms" + bytes([2, 0x10, 0, 0]) + b"mntrRGB XYZ "
              + bytes(12) + b"acsp" + bytes(24) + struct.pack(">I", 0)
              + xyz(0.9642, 1.0, 0.8249)[8:] + bytes(48))
    assert len(header) == 128
    return header + struct.pack(">I", len(tags)) + table + body


@pytest.fixture
def pipeline(tmp_path):
    """With JPEG fallbacks (``media: jpeg_fallback: true``): every kind of file the
    pipeline can write, so that each test checks each encoder."""
    return ImagePipeline(tmp_path / "cache", jpeg_fallback=True, workers=1)


def test_exif_orientation_6_is_applied(tmp_path, pipeline):
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    source = save(quadrants(), tmp_path / "rotated.jpg", exif=exif)
    processed = pipeline.process([source])[source]
    assert (processed.width, processed.height) == (900, 1200)
    for variant in outputs(processed):
        with Image.open(variant.path) as image:
            assert image.size == (variant.width, variant.height)
    with Image.open(processed.largest("jpeg").path) as image:
        assert image.size == (900, 1200)
        assert near(image.getpixel((880, 20)), RED)  # stored top-left, turned clockwise
        assert near(image.getpixel((20, 20)), BLUE)
        assert near(image.getpixel((880, 1180)), GREEN)
    with Image.open(processed.largest("webp").path) as image:
        assert near(image.convert("RGB").getpixel((880, 20)), RED)


@pytest.mark.parametrize("with_icc", [True, False])
def test_metadata_is_stripped_from_every_output(tmp_path, pipeline, with_icc):
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.Orientation] = 1
    exif[ExifTags.IFD.GPSInfo] = {ExifTags.GPS.GPSLatitudeRef: "N",
                                  ExifTags.GPS.GPSLatitude: (21.0, 18.0, 30.5)}
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF/>secret-xmp</x:xmpmeta>'
    source = save(quadrants(), tmp_path / "gps.jpg", exif=exif, xmp=xmp,
                  comment="secret-comment", **({"icc_profile": icc} if with_icc else {}))
    with Image.open(source) as original:  # the source really carries all of it
        assert original.getexif().get_ifd(ExifTags.IFD.GPSInfo)
        assert {"exif", "xmp", "comment"} <= original.info.keys()
        assert ("icc_profile" in original.info) == with_icc
    for variant in outputs(pipeline.process([source])[source]):
        data = variant.path.read_bytes()
        with Image.open(variant.path) as image:
            assert ExifTags.IFD.GPSInfo not in image.getexif()
            assert len(image.getexif()) == 0
            assert not {"exif", "icc_profile", "xmp", "comment"} & image.info.keys()
        assert b"secret" not in data and b"PhoneMaker" not in data
        if variant.format == "jpeg":
            assert b"Exif\x00\x00" not in data and b"ICC_PROFILE" not in data
            assert b"http://ns.adobe.com/xap" not in data
        else:
            assert not {b"EXIF", b"XMP ", b"ICCP"} & set(webp_chunks(data))


def test_icc_profile_is_converted_to_srgb_then_dropped(tmp_path, pipeline):
    source = save(Image.new("RGB", (800, 600), (255, 0, 0)), tmp_path / "wide.png",
                  icc_profile=swapped_primaries_profile())
    for variant in outputs(pipeline.process([source])[source]):
        with Image.open(variant.path) as image:
            assert "icc_profile" not in image.info
            centre = (image.width // 2, image.height // 2)
            assert near(image.convert("RGB").getpixel(centre), (0, 0, 255), 12)


def test_unusable_icc_profile_is_dropped(tmp_path, pipeline):
    source = save(quadrants(), tmp_path / "junk-icc.png", icc_profile=b"not a profile" * 20)
    processed = pipeline.process([source])[source]
    with Image.open(processed.largest("jpeg").path) as image:
        assert "icc_profile" not in image.info
        assert near(image.getpixel((20, 20)), RED)


@pytest.mark.parametrize("image, colour", [
    (Image.new("I;16", (600, 500), 40000), (155, 155, 155)),
    (Image.new("L", (600, 500), 90), (90, 90, 90)),
    (Image.new("RGB", (600, 500), RED).convert("P", palette=Image.Palette.ADAPTIVE), RED),
    (Image.new("RGB", (600, 500), RED).convert("CMYK"), RED),
])
def test_other_modes_come_out_rgb(tmp_path, pipeline, image, colour):
    source = save(image, tmp_path / ("photo.jpg" if image.mode == "CMYK" else "photo.png"))
    for variant in outputs(pipeline.process([source])[source]):
        with Image.open(variant.path) as output:
            assert output.mode == "RGB" and near(output.getpixel((100, 100)), colour, 12)


@pytest.mark.parametrize("size, configured, widths", [
    ((1200, 900), DEFAULT_WIDTHS, [360, 720, 1080]),
    ((1600, 1200), DEFAULT_WIDTHS, [360, 720, 1080]),
    ((720, 960), DEFAULT_WIDTHS, [360, 720]),
    ((300, 200), DEFAULT_WIDTHS, [300]),
    ((1200, 900), (360, 720, 1080, 1440), [360, 720, 1080, 1200]),
    ((1600, 1200), (1440, 360, 720, 1080), [360, 720, 1080, 1440]),
])
def test_variant_widths(tmp_path, size, configured, widths):
    source = save(quadrants(size), tmp_path / "photo.jpg")
    pipeline = ImagePipeline(tmp_path / "cache", widths=configured, jpeg_fallback=True,
                             workers=1)
    processed = pipeline.process([source])[source]
    for fmt, ext in (("webp", "webp"), ("jpeg", "jpg")):
        variants = processed.of(fmt)
        assert [v.width for v in variants] == widths
        assert [v.name for v in variants] == [f"{w}.{ext}" for w in widths]
        for v in variants:
            assert v.width <= size[0]
            assert v.height == round(size[1] * v.width / size[0])


def test_webp_and_progressive_jpeg_decode(tmp_path, pipeline):
    source = save(quadrants(), tmp_path / "photo.jpg")
    processed = pipeline.process([source])[source]
    assert {v.format for v in processed.variants} == {"webp", "jpeg"}
    for variant in outputs(processed):
        with Image.open(variant.path) as image:
            assert image.format == variant.format.upper()
            assert image.size == (variant.width, variant.height)
            assert image.mode == "RGB"
            image.load()
            if variant.format == "jpeg":
                assert image.info.get("progressive") or image.info.get("progression")


@pytest.mark.parametrize("size, side", [((1200, 900), 1000), ((900, 1200), 1000),
                                        ((400, 300), 500), ((700, 600), 700)])
def test_square_is_padded_not_cropped(tmp_path, pipeline, size, side):
    source = save(quadrants(size), tmp_path / "photo.jpg")
    square = pipeline.process([source])[source].square
    assert (square.width, square.height, square.format, square.name) == (side, side, "jpeg",
                                                                          "square.jpg")
    with Image.open(square.path) as image:
        assert image.size == (side, side) and side >= 500
        landscape = size[0] > size[1]
        padding = (side // 2, 3) if landscape else (3, side // 2)
        assert near(image.getpixel(padding), WHITE, 10)
        inset = side // 2 - round(min(size) * side / max(size) / 2) + 10
        corner = (10, inset) if landscape else (inset, 10)
        assert near(image.getpixel(corner), RED)  # the whole photo, corners included
        assert near(image.getpixel((side - 1 - corner[0], side - 1 - corner[1])), YELLOW)


def test_transparency_white_in_jpeg_kept_in_webp(tmp_path, pipeline):
    logo = quadrants((800, 600), "RGBA")
    logo.paste((0, 0, 0, 0), (0, 0, 400, 300))
    opaque = quadrants((800, 600), "RGBA")
    sources = [save(logo, tmp_path / "logo.png"), save(opaque, tmp_path / "opaque.png")]
    result = pipeline.process(sources)
    with Image.open(result[sources[0]].largest("jpeg").path) as image:
        assert near(image.getpixel((20, 20)), WHITE, 5)
        assert near(image.getpixel((780, 20)), GREEN)
    with Image.open(result[sources[0]].largest("webp").path) as image:
        assert image.mode == "RGBA" and image.getpixel((20, 20))[3] == 0
    with Image.open(result[sources[1]].largest("webp").path) as image:
        assert image.mode == "RGB"


def test_same_input_gives_identical_bytes(tmp_path):
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    source = save(quadrants(), tmp_path / "photo.jpg", exif=exif)
    first = ImagePipeline(tmp_path / "a", workers=1).process([source])[source]
    second = ImagePipeline(tmp_path / "b", workers=1).process([source])[source]
    assert first.digest == second.digest
    assert [v.name for v in outputs(first)] == [v.name for v in outputs(second)]
    for one, two in zip(outputs(first), outputs(second)):
        assert one.path != two.path
        assert one.path.read_bytes() == two.path.read_bytes()


def test_cache_layout_and_reuse(tmp_path, pipeline):
    sources = [save(quadrants((600 + 100 * i, 500)), tmp_path / f"{i}.jpg") for i in range(3)]
    first = pipeline.process(sources)
    assert pipeline.last_encoded == 3
    for processed in first.values():
        for variant in outputs(processed):
            digest = processed.digest
            assert variant.path == tmp_path / "cache" / digest[:2] / digest / variant.name
    mtimes = {v.path: v.path.stat().st_mtime_ns for p in first.values() for v in outputs(p)}

    assert pipeline.process(sources) == first
    assert pipeline.last_encoded == 0
    assert {path: path.stat().st_mtime_ns for path in mtimes} == mtimes

    save(quadrants((650, 500)), sources[1])
    third = pipeline.process(sources)
    assert pipeline.last_encoded == 1
    assert third[sources[0]] == first[sources[0]] and third[sources[2]] == first[sources[2]]
    assert third[sources[1]].digest != first[sources[1]].digest
    assert {path: path.stat().st_mtime_ns for path in mtimes} == mtimes


def test_renamed_or_duplicate_source_is_not_encoded_again(tmp_path, pipeline):
    source = save(quadrants((600, 500)), tmp_path / "a.jpg")
    digest = pipeline.process([source])[source].digest
    copy = tmp_path / "b.jpg"
    copy.write_bytes(source.read_bytes())
    result = pipeline.process([copy, source])
    assert pipeline.last_encoded == 0
    assert result[copy].digest == result[source].digest == digest


def test_other_settings_make_other_digests(tmp_path, pipeline):
    source = save(quadrants((600, 500)), tmp_path / "a.jpg")
    digests = {pipeline.process([source])[source].digest,
               pipeline.process([source], square=False)[source].digest}
    for settings in ({"jpeg_quality": 70, "jpeg_fallback": True}, {"jpeg_fallback": False},
                     {"webp_quality": 60, "jpeg_fallback": True},
                     {"widths": (360, 500), "jpeg_fallback": True}):
        other = ImagePipeline(tmp_path / "cache", workers=1, **settings)
        digests.add(other.process([source])[source].digest)
        assert other.last_encoded == 1, settings
    assert len(digests) == 6


def test_incomplete_cache_folder_is_encoded_again(tmp_path, pipeline):
    source = save(quadrants((600, 500)), tmp_path / "a.jpg")
    processed = pipeline.process([source])[source]
    processed.largest("webp").path.unlink()
    again = pipeline.process([source])[source]
    assert pipeline.last_encoded == 1 and again == processed
    (processed.square.path.parent / "manifest.json").unlink()
    pipeline.process([source])
    assert pipeline.last_encoded == 1
    leftovers = [p for p in processed.square.path.parent.iterdir() if p.suffix == ".tmp"]
    assert leftovers == []


def test_a_cache_folder_a_pull_request_wrote_publishes_nothing_of_its_own(tmp_path,
                                                                          pipeline):
    """A pull request can commit a photo's cache folder (its name follows from the photo):
    a manifest naming a file outside the folder (of the checkout, or where the site's copy
    would land outside the site), a variant that is a symbolic link, or a manifest of
    another digest is not taken; the photo is encoded again, and the site gets its own
    files at their places, regular files, and nothing outside it."""
    source = save(quadrants((600, 500)), tmp_path / "a.jpg")
    processed = pipeline.process([source])[source]
    folder = processed.square.path.parent
    manifest = folder / "manifest.json"
    honest = manifest.read_text(encoding="utf-8")
    secret = tmp_path / "secret.txt"
    secret.write_text("token=hunter2\n", encoding="utf-8")
    largest = processed.largest("webp")
    outside = "../" * 3 + "secret.txt"  # from the cache folder, and from the site's
    forgeries = [
        lambda: manifest.write_text(honest.replace(f'"{largest.name}"', f'"{outside}"'),
                                    encoding="utf-8"),
        lambda: (largest.path.unlink(), largest.path.symlink_to(secret)),
        lambda: manifest.write_text(honest.replace(processed.digest, "0" * 64),
                                    encoding="utf-8"),
        lambda: manifest.write_text(honest.replace('"width": 600', '"width": "600"', 1),
                                    encoding="utf-8"),
    ]
    for i, forge in enumerate(forgeries):
        manifest.write_text(honest, encoding="utf-8")
        forge()
        again = pipeline.process([source])[source]
        assert pipeline.last_encoded == 1, i
        assert again == processed, i
        site = tmp_path / f"site{i}"
        publish({source: again}, site)
        files = [p for p in site.rglob("*") if not p.is_dir()]
        assert files and all(p.is_file() and not p.is_symlink() for p in files), i
        assert not any(b"hunter2" in p.read_bytes() for p in files), i
        assert not (tmp_path / "secret.txt.tmp").exists()
        assert sorted(tmp_path.glob("*")) == sorted(
            [*tmp_path.glob("site*"), tmp_path / "cache", source, secret]), i


def test_publish_places_files_at_their_urls(tmp_path, pipeline):
    sources = [save(quadrants((600 + 100 * i, 500)), tmp_path / f"{i}.jpg") for i in range(2)]
    processed = pipeline.process(sources)
    site = tmp_path / "site"
    publish(processed, site)
    publish(processed, site)  # twice is fine
    for image in processed.values():
        for variant in outputs(image):
            url = f"media/{image.digest[:16]}/{variant.name}"
            assert image.url(variant) == url
            published = site / url
            assert published.read_bytes() == variant.path.read_bytes()
            assert os.path.samefile(published, variant.path)  # hard link on one file system
    publish(processed, tmp_path / "other", prefix="assets/img")
    image = processed[sources[0]]
    assert (tmp_path / "other" / image.url(image.square, "assets/img")).is_file()


def test_srcset_largest_and_pick(tmp_path):
    source = save(quadrants(), tmp_path / "photo.jpg")
    pipeline = ImagePipeline(tmp_path / "cache", widths=(360, 720, 1080, 1440),
                             jpeg_fallback=True, workers=1)
    image = pipeline.process([source])[source]
    base = f"media/{image.digest[:16]}/"
    assert image.srcset("webp") == ", ".join(
        f"{base}{w}.webp {w}w" for w in (360, 720, 1080, 1200))
    assert image.srcset("jpeg", base="../x") == ("../x/360.jpg 360w, ../x/720.jpg 720w, "
                                                 "../x/1080.jpg 1080w, ../x/1200.jpg 1200w")
    assert image.largest("jpeg").name == "1200.jpg"
    assert image.pick("webp", 700).name == "720.webp"
    assert image.pick("webp", 720).name == "720.webp"
    assert image.pick("webp", 1).name == "360.webp"
    assert image.pick("jpeg", 5000).name == "1200.jpg"


def test_parallel_gives_the_same_bytes(tmp_path):
    sources = [save(quadrants((700 + 50 * i, 500)), tmp_path / f"{i}.jpg") for i in range(4)]
    serial = ImagePipeline(tmp_path / "serial", workers=1).process(sources)
    parallel_pipeline = ImagePipeline(tmp_path / "parallel", workers=2)
    parallel = parallel_pipeline.process(sources)
    assert parallel_pipeline.last_encoded == 4
    assert list(parallel) == sources
    for source in sources:
        assert parallel[source].digest == serial[source].digest
        for one, two in zip(outputs(serial[source]), outputs(parallel[source])):
            assert one.name == two.name and one.path.read_bytes() == two.path.read_bytes()


def test_parallel_error_is_reported(tmp_path):
    good = [save(quadrants((600, 500)), tmp_path / f"{i}.jpg") for i in range(2)]
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"\xff\xd8\xff" + b"garbage" * 50)
    with pytest.raises(ImageError) as caught:
        ImagePipeline(tmp_path / "cache", workers=2).process([*good, bad])
    assert caught.value.path == bad


def test_undecodable_or_missing_source_raises_image_error(tmp_path, pipeline):
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"this is not a photo")
    with pytest.raises(ImageError) as caught:
        pipeline.process([bad])
    assert caught.value.path == bad and "decode" in caught.value.reason
    assert str(bad) in str(caught.value)
    truncated = save(quadrants(), tmp_path / "cut.jpg")
    truncated.write_bytes(truncated.read_bytes()[:2000])
    with pytest.raises(ImageError):
        pipeline.process([truncated])
    with pytest.raises(ImageError, match="cannot read"):
        pipeline.process([tmp_path / "missing.jpg"])


def test_progress_is_logged_for_many_photos(tmp_path):
    lines = []
    sources = [save(Image.new("RGB", (40, 30), (i, 0, 0)), tmp_path / f"{i}.png")
               for i in range(55)]
    ImagePipeline(tmp_path / "cache", workers=1, log=lines.append).process(sources)
    assert lines[0] == "photos: 6/55 encoded" and lines[-1] == "photos: 55/55 encoded"
    assert 9 <= len(lines) <= 11
    few = []
    ImagePipeline(tmp_path / "few", workers=1, log=few.append).process(sources[:50])
    assert few == []


def test_invalid_settings_are_refused(tmp_path):
    with pytest.raises(ValueError):
        ImagePipeline(tmp_path, square=400)
    with pytest.raises(ValueError):
        ImagePipeline(tmp_path, widths=())
    with pytest.raises(ValueError):
        ImagePipeline(tmp_path, workers=0)


def test_outputs_are_readable_by_others(tmp_path, pipeline):
    source = save(quadrants((600, 500)), tmp_path / "a.jpg")
    for variant in outputs(pipeline.process([source])[source]):
        assert variant.path.stat().st_mode & 0o044 == 0o044


# --------------------------------------------------------------------------
# What is published by default, and the media: options
# --------------------------------------------------------------------------


def test_by_default_pages_get_webp_only_and_marketplaces_one_square_jpeg(tmp_path):
    source = save(quadrants((1600, 1200)), tmp_path / "photo.jpg")
    processed = ImagePipeline(tmp_path / "cache", workers=1).process([source])[source]
    assert [(v.format, v.width) for v in processed.variants] == [
        ("webp", w) for w in DEFAULT_WIDTHS]
    assert processed.of("jpeg") == ()
    folder = processed.square.path.parent
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [f"{w}.webp" for w in DEFAULT_WIDTHS] + ["manifest.json", "square.jpg"])
    for variant in outputs(processed):  # each file is what its name says
        with Image.open(variant.path) as image:
            assert image.format == variant.format.upper()
            assert image.size == (variant.width, variant.height)


def test_a_logo_gets_no_square_and_is_cached_without_one(tmp_path, pipeline):
    logo = save(quadrants((600, 600), "RGBA"), tmp_path / "logo.png")
    processed = pipeline.process([logo], square=False)[logo]
    assert processed.square is None and processed.of("webp")
    assert pipeline.process([logo], square=False)[logo] == processed  # from the cache
    assert pipeline.last_encoded == 0
    site = tmp_path / "site"
    publish({logo: processed}, site)
    published = sorted(p.name for p in (site / processed.url_base()).iterdir())
    assert published == sorted(v.name for v in processed.variants)
    with_square = pipeline.process([logo])[logo]
    assert with_square.square is not None and with_square.digest != processed.digest


def test_media_options_default_to_what_the_pipeline_does():
    assert parse_media_options(None) == parse_media_options({}) == MediaOptions()
    options = parse_media_options({"widths": [1440, 360, 720, 1080, 720], "jpeg_fallback": True,
                                   "webp_quality": 80, "jpeg_quality": 85, "square": 1500})
    assert options == MediaOptions((360, 720, 1080, 1440), True, 80, 85, 1500)


@pytest.mark.parametrize(("raw", "where"), [
    ([360, 720], "media"),
    ({"formats": ["avif"]}, "media.formats"),
    ({"widths": 720}, "media.widths"),
    ({"widths": []}, "media.widths"),
    ({"widths": [360, "720"]}, "media.widths"),
    ({"widths": [360, 50]}, "media.widths"),
    ({"widths": [360, True]}, "media.widths"),
    ({"jpeg_fallback": "yes"}, "media.jpeg_fallback"),
    ({"webp_quality": 0}, "media.webp_quality"),
    ({"jpeg_quality": 101}, "media.jpeg_quality"),
    ({"jpeg_quality": 80.5}, "media.jpeg_quality"),
    ({"square": 400}, "media.square"),
])
def test_a_wrong_media_option_is_named_in_both_languages(raw, where):
    with pytest.raises(MediaOptionError) as caught:
        parse_media_options(raw)
    message = str(caught.value)
    vi, en = message.splitlines()
    assert vi.startswith(where + ": ") and en.strip().startswith(where + ": ")
    assert not vi.isascii() and en.isascii()  # in Vietnamese, then in English
    assert "docs/configuration.md, 'media'" in en


def test_a_source_is_read_again_only_when_its_file_changed(tmp_path, pipeline, monkeypatch):
    """A build reads a photo's bytes (for its digest) only when its file's stat signature
    changed since they were read: a photo rewritten with its size and modification time
    put back (the change time cannot be) is read again and gets its new digest, and a
    digests file that records another signature is not trusted."""
    import json

    from ocop_catalog.edition import images
    from ocop_catalog.records.decoded import FileDigests

    sources = [save(quadrants((600 + 100 * i, 500)), tmp_path / f"{i}.jpg") for i in range(3)]
    read: list = []
    real = images._digest_file
    monkeypatch.setattr(images, "_digest_file", lambda source, options: read.append(source)
                        or real(source, options))
    # files changed in the two seconds before they are read are read again next time (a
    # rewrite of the same size within a tick of the clock would keep its signature)
    first = pipeline.process(sources)
    assert pipeline.process(sources) == first and read == sources * 2
    monkeypatch.setattr(FileDigests, "RACY_NS", 0)  # the photos as if written long before
    pipeline.process(sources)
    read.clear()
    assert pipeline.process(sources) == first and read == []

    # the same size and modification time, other bytes (a byte of the picture changed)
    stat, data = sources[1].stat(), bytearray(sources[1].read_bytes())
    data[len(data) // 2] ^= 0x01
    sources[1].write_bytes(bytes(data))
    os.utime(sources[1], ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert sources[1].stat().st_size == stat.st_size
    again = pipeline.process(sources)
    assert read == [sources[1]]
    assert again[sources[1]].digest != first[sources[1]].digest
    assert again[sources[0]] == first[sources[0]]

    # a digests file someone wrote: the recorded signatures are not the files'
    [memo] = (tmp_path / "cache").glob("sources-*.json")
    entries = json.loads(memo.read_text(encoding="utf-8"))
    for key, entry in entries.items():
        entry[2] += 1  # another change time
        entry[5] = first[sources[2]].digest
    memo.write_text(json.dumps(entries), encoding="utf-8")
    read.clear()
    assert pipeline.process(sources) == again
    assert sorted(read) == sorted(sources)


def test_the_cache_sweep_deletes_the_outputs_of_photos_no_site_or_build_uses(tmp_path,
                                                                                pipeline):
    """Once a day, a build deletes the cached outputs of photos it does not use and no
    site links to (a photo replaced since, once no published site shows it); what this
    build uses, what a site still links to, and what was encoded within the grace period
    (by another build, not published yet) stay."""
    import time

    from ocop_catalog import housekeeping

    sources = [save(quadrants((600 + 100 * i, 500)), tmp_path / f"{i}.jpg") for i in range(4)]
    first = pipeline.process(sources)
    publish({sources[0]: first[sources[0]]}, tmp_path / "site")  # photo 0: in a site
    in_use = [first[sources[2]].digest]  # photo 2: still in the catalog; 1 and 3: replaced
    folders = {i: first[s].variants[0].path.parent for i, s in enumerate(sources)}
    long_ago = time.time() - housekeeping.GRACE - 60
    for i in (0, 1, 2):  # photo 3: encoded a moment ago (by another build)
        os.utime(folders[i], (long_ago, long_ago))
    others = [tmp_path / "cache" / "notes", folders[1].parent / "not-a-digest"]
    for other in others:  # what the pipeline did not write is not its to delete
        other.mkdir()
    assert pipeline.sweep(in_use, tmp_path) == 1  # never swept: due
    assert [i for i, f in folders.items() if f.is_dir()] == [0, 2, 3]
    folder_1 = folders[1]
    pipeline.process([sources[1]])  # the replaced photo is back: encoded again
    assert pipeline.last_encoded == 1 and folder_1.is_dir()
    os.utime(folder_1, (long_ago, long_ago))
    assert pipeline.sweep(in_use, tmp_path) == 0  # swept a moment ago: not due
    assert folder_1.is_dir()
    os.utime(tmp_path / "cache" / housekeeping.SWEPT, (0, 0))  # a day later
    assert pipeline.sweep([first[s].digest for s in sources[1:]], tmp_path) == 0  # 0: a site
    pipeline.process(sources)
    assert pipeline.last_encoded == 0
    assert all(other.is_dir() for other in others)


def test_the_cache_sweep_deletes_nothing_through_a_link(tmp_path):
    """A photo cache reached through a symbolic link (as a pull request could commit one
    in the cache folder) is never swept."""
    from ocop_catalog import housekeeping

    real = tmp_path / "elsewhere"
    digest = "ab" + "0" * 62
    (real / "ab" / digest).mkdir(parents=True)
    (real / "ab" / digest / "x.webp").write_bytes(b"precious")
    os.utime(real / "ab" / digest, (0, 0))
    (tmp_path / "catalog").mkdir()
    (tmp_path / "catalog" / "cache").symlink_to(real, target_is_directory=True)
    linked = ImagePipeline(tmp_path / "catalog" / "cache", workers=1)
    assert linked.sweep([], tmp_path / "catalog") == 0
    assert (real / "ab" / digest / "x.webp").is_file()
    assert not (real / housekeeping.SWEPT).exists()
    assert ImagePipeline(real, workers=1).sweep([], tmp_path) == 1  # not through a link: swept


def test_a_cache_path_that_climbs_back_out_of_a_link_counts_as_through_the_link(tmp_path):
    """``catalog/link/../cache`` is reached through ``link`` (the system resolves the link
    before the ``..``: it leads to the parent of where the link leads), so no sweep runs
    there, though the path written out without it (``catalog/cache``) has no link."""
    from ocop_catalog import housekeeping

    real = tmp_path / "elsewhere" / "deep"
    digest = "ab" + "0" * 62
    victim = tmp_path / "elsewhere" / "cache" / "ab" / digest
    victim.mkdir(parents=True)
    (victim / "x.webp").write_bytes(b"precious")
    os.utime(victim, (0, 0))
    real.mkdir()
    catalog = tmp_path / "catalog"
    (catalog / "cache").mkdir(parents=True)
    (catalog / "link").symlink_to(real, target_is_directory=True)
    climbing = catalog / "link" / ".." / "cache"
    assert os.path.samefile(climbing, tmp_path / "elsewhere" / "cache")
    assert not housekeeping.no_links(climbing, catalog)
    assert housekeeping.no_links(catalog / "cache", catalog)
    assert housekeeping.no_links(tmp_path / "elsewhere" / "cache", catalog)  # outside, no link
    assert ImagePipeline(climbing, workers=1).sweep([], catalog) == 0
    assert (victim / "x.webp").is_file()


def test_a_folder_a_build_takes_from_the_cache_is_safe_from_another_builds_sweep(tmp_path):
    """A build that takes a photo's outputs from the cache marks their folder as used, so
    that another build's sweep (of a catalog without that photo) leaves it for the first
    to publish."""
    import time

    from ocop_catalog import housekeeping

    source = save(quadrants((600, 500)), tmp_path / "a.jpg")
    first = ImagePipeline(tmp_path / "cache", workers=1)
    folder = first.process([source])[source].variants[0].path.parent
    long_ago = time.time() - housekeeping.GRACE - 60
    os.utime(folder, (long_ago, long_ago))
    taken = first.process([source])[source]  # from the cache: marked as used
    assert first.last_encoded == 0
    other = ImagePipeline(tmp_path / "cache", workers=1)
    assert other.sweep([], tmp_path) == 0
    publish({source: taken}, tmp_path / "site")  # its files are still there
    assert (tmp_path / "site" / taken.url(taken.variants[0])).is_file()
    os.utime(folder, (long_ago, long_ago))  # unused for an hour and more: swept
    os.utime(tmp_path / "cache" / housekeeping.SWEPT, (0, 0))
    shutil.rmtree(tmp_path / "site")
    assert other.sweep([], tmp_path) == 1 and not folder.exists()

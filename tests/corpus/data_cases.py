"""The data groups of the corpus: IDX files, images, and image folders with metadata."""

import gzip
import json
import struct
import zlib

from PIL import Image

from common import TINY, case, case_dir

# ----------------------------------------------------------------------------- IDX files


def idx_images(count, rows, cols, pixels):
    return struct.pack(">IIII", 2051, count, rows, cols) + bytes(pixels)


def idx_labels(labels):
    return struct.pack(">II", 2049, len(labels)) + bytes(labels)


def digits(n=16):
    pixels, s = [], 12345
    for _ in range(n * 64):
        s = (s * 1103515245 + 12345) % 2**32
        pixels.append(s >> 24)
    return idx_images(n, 8, 8, pixels), idx_labels([i % 10 for i in range(n)])


def idx_case(name, images, labels, needles, images_name="train-images-idx3-ubyte", labels_name="train-labels-idx1-ubyte"):
    data = case_dir(f"idx/{name}") / "data"
    data.mkdir(exist_ok=True)
    (data / images_name).write_bytes(images)
    if labels is not None:
        (data / labels_name).write_bytes(labels)
    args = ["train", "--config", "shared/tiny.toml", "--data", "case/data", "--steps", "1", "--out", "out"]
    case(f"idx/{name}", args, needles)


def idx_cases():
    images, labels = digits()
    for cut in range(16):
        idx_case(f"images-header-cut-{cut:02}", images[:cut], None, ["train-images-idx3-ubyte", "truncated"])
    for cut in range(8):
        idx_case(f"labels-header-cut-{cut:02}", images, labels[:cut], ["train-labels-idx1-ubyte", "truncated"])
    idx_case("images-cut-mid-data", images[: 16 + 5 * 64 + 17], None, ["train-images-idx3-ubyte", "truncated", "16x8x8"])
    idx_case("labels-cut-mid-data", images, labels[:13], ["train-labels-idx1-ubyte", "truncated"])
    idx_case("images-trailing-bytes", images + b"\0\0\0", None, ["train-images-idx3-ubyte", "3 unexpected bytes"])
    idx_case("magic-labels-as-images", labels, None, ["train-images-idx3-ubyte", "magic number 2049"])
    idx_case("magic-images-as-labels", images, images, ["train-labels-idx1-ubyte", "magic number 2051"])
    idx_case("magic-garbage", b"\xde\xad\xbe\xef" + images[4:], None, ["train-images-idx3-ubyte", "magic number 3735928559"])
    idx_case("magic-float-type", struct.pack(">I", 0x0D03) + images[4:], None, ["train-images-idx3-ubyte", "magic number 3331"])
    idx_case("dims-overflow", struct.pack(">IIII", 2051, 2**32 - 1, 2**32 - 1, 2**32 - 1) + b"\0" * 64, None, ["train-images-idx3-ubyte", "4294967295x4294967295x4294967295"])
    idx_case("dims-terabyte", struct.pack(">IIII", 2051, 1_000_000, 1000, 1000) + b"\0" * 64, None, ["train-images-idx3-ubyte", "1000000x1000x1000"])
    idx_case("dims-terabyte-gz", gzip.compress(struct.pack(">IIII", 2051, 1_000_000, 1000, 1000) + b"\0" * 64, mtime=0), None, ["train-images-idx3-ubyte.gz", "1000000x1000x1000"], images_name="train-images-idx3-ubyte.gz")
    idx_case("dims-zero-rows", struct.pack(">IIII", 2051, 16, 0, 8), None, ["train-images-idx3-ubyte", "16x0x8"])
    idx_case("labels-fewer-than-images", images, idx_labels([1] * 15), ["16 images", "15 labels", "train-labels-idx1-ubyte"])
    idx_case("labels-more-than-images", images, idx_labels([1] * 17), ["16 images", "17 labels", "train-labels-idx1-ubyte"])
    idx_case("labels-out-of-vocabulary", images, idx_labels([200] + [1] * 15), ["case/data", "labels go up to 200"])
    gz = gzip.compress(images, mtime=0)
    idx_case("gzip-garbage", b"\x1f\x8b" + bytes(range(200)), None, ["train-images-idx3-ubyte.gz", "gzip"], images_name="train-images-idx3-ubyte.gz")
    idx_case("gzip-truncated", gz[: len(gz) // 2], None, ["train-images-idx3-ubyte.gz", "gzip"], images_name="train-images-idx3-ubyte.gz")
    idx_case("gzip-bad-crc", gz[:-8] + b"\0\0\0\0" + gz[-4:], None, ["train-images-idx3-ubyte.gz", "gzip"], images_name="train-images-idx3-ubyte.gz")
    idx_case("gzip-empty", b"", None, ["train-images-idx3-ubyte.gz", "truncated"], images_name="train-images-idx3-ubyte.gz")


# ----------------------------------------------------------------------------- images


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png(width, height, bit_depth, colour_type, rows):
    """A PNG written by hand (filter 0 on every row), for depths Pillow does not write."""
    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    raw = b"".join(b"\0" + r for r in rows)
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", zlib.compress(raw)) + png_chunk(b"IEND", b"")


def pillow_bytes(img, fmt, **kw):
    import io

    buf = io.BytesIO()
    img.save(buf, fmt, **kw)
    return buf.getvalue()


def image_case(name, filename, content, needles, expect="error", **extra):
    data = case_dir(f"images/{name}") / "data"
    data.mkdir(exist_ok=True)
    for i in range(3):
        Image.new("RGB", (32, 32), (40 * i, 90, 200)).save(data / f"good-{i}.png")
    (data / filename).write_bytes(content)
    args = ["train", "--config", "shared/folder.toml", "--data", "case/data", "--steps", "1", "--out", "out"]
    case(f"images/{name}", args, needles, expect, **extra)


def metadata_case(name, files, needles, label="kind", expect="error", extra="", batch=4):
    """An image folder whose metadata (`files`: name -> bytes or text) is damaged."""
    d = case_dir(f"metadata/{name}")
    data = d / "data"
    data.mkdir(exist_ok=True)
    for i in range(4):
        Image.new("RGBA", (32, 32), (40 * i, 90, 200, 128)).save(data / f"good-{i}.png")
    for fname, content in files.items():
        (data / fname).parent.mkdir(parents=True, exist_ok=True)
        (data / fname).write_bytes(content if isinstance(content, bytes) else content.encode())
    lines = f'label = "{label}"\n' if label else ""
    (d / "config.toml").write_text(TINY.replace("sample_every", "conditional = true\nsample_every") + f'\n[data]\nkind = "folder"\ndir = "case/data"\nsize = 32\n{lines}{extra}')
    case(f"metadata/{name}", ["train", "--config", "case/config.toml", "--steps", "1", "--batch-size", str(batch), "--out", "out"], needles, expect)


def metadata_cases():
    row = lambda i, kind="cat", **kw: json.dumps({"file_name": f"good-{i}.png", "kind": kind, **kw})
    good = "\n".join([row(0), row(1, "dog"), row(2), row(3, "bird")]) + "\n"
    j = "metadata.jsonl"
    metadata_case("ok-labelled", {j: good}, [], expect="ok")
    metadata_case("missing-image", {j: good + json.dumps({"file_name": "gone.png", "kind": "cat"}) + "\n"}, [j, "line 5", "gone.png", "does not exist"])
    metadata_case("duplicate-file-name", {j: good + row(1) + "\n"}, [j, "line 5", "duplicate file_name", "line 2"])
    metadata_case("no-file-name", {j: good.replace('"file_name": "good-1.png", ', "")}, [j, "line 2", "no file_name"])
    metadata_case("file-name-number", {j: good.replace('"good-1.png"', "7")}, [j, "line 2", "file_name must be"])
    metadata_case("file-name-outside", {j: good.replace('"good-1.png"', '"../good-1.png"')}, [j, "line 2", "inside the folder"])
    metadata_case("invalid-json", {j: good.replace('{"file_name": "good-2.png"', '{"file_name" "good-2.png"')}, [j, "line 3", "invalid JSON"])
    metadata_case("not-an-object", {j: good + "[1, 2]\n"}, [j, "line 5", "not a JSON object"])
    metadata_case("not-utf8", {j: good.encode().replace(b"dog", b"d\xffg")}, [j, "line 2", "invalid UTF-8"])
    metadata_case("no-rows", {j: "\n"}, [j, "no rows"])
    metadata_case("label-field-unknown", {j: good}, [j, "label field `colour`", "kind"], label="colour")
    metadata_case("label-absent-on-a-row", {j: good.replace(', "kind": "dog"', "")}, [j, "line 2", "no `kind` field"])
    metadata_case("label-two-values", {j: good.replace('"dog"', '["dog", "cat"]')}, [j, "line 2", "holds 2 distinct values", "unlabelled"])
    metadata_case("label-two-values-skipped", {j: good.replace('"dog"', '["dog", "cat"]')}, [], expect="ok", extra='unlabelled = "skip"\n', batch=2)
    metadata_case("label-equal-values", {j: good.replace('"dog"', '["dog", "dog"]')}, [], expect="ok")
    metadata_case("unlabelled-unknown", {j: good}, ["unlabelled", "skip"], extra='unlabelled = "drop"\n')
    metadata_case("unlabelled-skips-all", {j: good.replace('"kind": "cat"', '"kind": []').replace('"dog"', '[]').replace('"bird"', '[]')}, [j, "no labelled row passes the filter"], extra='unlabelled = "skip"\n')
    # A folder without metadata of its own joins its subfolders' files.
    sub = lambda name, rows: {f"{name}/metadata.jsonl": "\n".join(rows) + "\n", f"{name}/a.png": pillow_bytes(Image.new("RGB", (32, 32), (9, 9, 9)), "PNG")}
    metadata_case("subfolders-ok", {**sub("one", [json.dumps({"file_name": "a.png", "kind": "cat"})]), **sub("two", [json.dumps({"file_name": "a.png", "kind": "dog"})])}, [], expect="ok", batch=2)
    metadata_case("subfolder-missing-image", {**sub("one", [json.dumps({"file_name": "a.png", "kind": "cat"})]), **sub("two", [json.dumps({"file_name": "a.png", "kind": "dog"}), json.dumps({"file_name": "b.png", "kind": "dog"})])}, ["two/metadata.jsonl line 2", "b.png", "does not exist"])
    metadata_case("subfolder-bad-json", {**sub("one", ["{oops"])}, ["one/metadata.jsonl line 1", "invalid JSON"])
    metadata_case("filter-field-unknown", {j: good}, [j, "filter field `split`"], extra='filter = { split = "train" }\n')
    metadata_case("filter-keeps-nothing", {j: good}, [j, "no row passes the filter"], extra='filter = { kind = "fish" }\n')
    metadata_case("both-kinds", {j: good, "metadata.csv": "file_name,kind\ngood-0.png,cat\n"}, ["both metadata.jsonl and metadata.csv"])
    metadata_case("csv-short-row", {"metadata.csv": "file_name,kind\ngood-0.png,cat\ngood-1.png\n"}, ["metadata.csv line 3", "invalid CSV"])
    metadata_case("label-without-metadata", {}, ["data", "metadata.jsonl or metadata.csv"])


def image_cases():
    good_png = pillow_bytes(Image.new("RGB", (8, 8), (10, 20, 30)), "PNG")
    good_jpg = pillow_bytes(Image.new("RGB", (16, 16), (10, 120, 230)), "JPEG", quality=95)
    for cut in [8, 20, 33, len(good_png) - 20]:
        image_case(f"png-cut-at-{cut}", "bad.png", good_png[:cut], ["bad.png", "cannot decode"])
    for cut in [2, 100, len(good_jpg) // 2, len(good_jpg) - 10]:
        image_case(f"jpeg-cut-at-{cut}", "bad.jpg", good_jpg[:cut], ["bad.jpg", "cannot decode"])
    image_case("png-zero-size", "bad.png", b"", ["bad.png", "cannot decode"])
    image_case("jpeg-zero-size", "bad.jpg", b"", ["bad.jpg", "cannot decode"])
    image_case("text-named-png", "bad.png", b"just some notes, not an image\n", ["bad.png", "cannot decode"])
    image_case("gif-named-png", "bad.png", pillow_bytes(Image.new("RGB", (8, 8), (1, 2, 3)), "GIF"), ["bad.png", "GIF"])
    image_case("png-1x1", "bad.png", pillow_bytes(Image.new("RGB", (1, 1), (5, 5, 5)), "PNG"), ["bad.png", "1x1 is too small"])
    image_case("png-3x3", "bad.png", pillow_bytes(Image.new("RGB", (3, 3), (5, 5, 5)), "PNG"), ["bad.png", "3x3 is too small"])
    image_case("png-1x1000", "bad.png", pillow_bytes(Image.new("RGB", (1, 1000), (5, 5, 5)), "PNG"), ["bad.png", "1x1000"])
    frames = [Image.new("RGB", (8, 8), (60 * i, 0, 0)) for i in range(3)]
    image_case("png-animated", "bad.png", pillow_bytes(frames[0], "PNG", save_all=True, append_images=frames[1:]), ["bad.png", "animated"])
    huge = png(100_000, 100_000, 8, 2, [b"\0" * 3])
    image_case("png-claims-100000x100000", "bad.png", huge, ["bad.png", "100000x100000"])
    # Valid files in unusual encodings: they must load, with the right colours.
    grey16 = png(8, 8, 16, 0, [struct.pack(">H", 51400) * 8] * 8)
    image_case("png-16-bit-grey", "odd.png", grey16, [], "ok", rgb=[200, 200, 200])
    rgb16 = png(8, 8, 16, 2, [struct.pack(">HHH", 257 * 250, 257 * 100, 257 * 7) * 8] * 8)
    image_case("png-16-bit-rgb", "odd.png", rgb16, [], "ok", rgb=[250, 100, 7])
    cmyk = pillow_bytes(Image.new("CMYK", (8, 8), (0, 128, 255, 30)), "JPEG", quality=95)
    import io

    want = list(Image.open(io.BytesIO(cmyk)).convert("RGB").getpixel((4, 4)))
    image_case("jpeg-cmyk", "odd.jpg", cmyk, [], "ok", rgb=want)
    image_case("jpeg-grey", "odd.jpg", pillow_bytes(Image.new("L", (8, 8), 77), "JPEG", quality=95), [], "ok", rgb=[77, 77, 77])
    palette = Image.new("RGB", (8, 8), (200, 30, 60)).convert("P", palette=Image.Palette.ADAPTIVE, colors=4)
    image_case("png-palette", "odd.png", pillow_bytes(palette, "PNG"), [], "ok", rgb=list(palette.convert("RGB").getpixel((4, 4))))

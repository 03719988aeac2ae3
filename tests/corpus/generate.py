#!/usr/bin/env python3
"""Writes the bad-input corpus: tests/corpus/cases/ and tests/corpus/cases.toml.

Every case is a small directory of files and one `gan` command line that must fail with exit
code 1 and one line on stderr that names the file and the field or shape at fault, without a
panic and without writing anything (crates/gan-cli/tests/corpus.rs runs them all). A few
controls (`expect = "ok"`) are inputs that look odd but are valid and must load.

Usage (`make corpus`): python tests/corpus/generate.py --gan target/release/gan
Needs Pillow (JPEG, CMYK and animated PNG writers) and the gan binary (to list the presets'
configurations and to train the run whose checkpoints the checkpoint cases damage).
"""

import argparse
import gzip
import json
import shutil
import struct
import subprocess
import sys
import tempfile
import tomllib
import zlib
from pathlib import Path

try:
    from PIL import Image
except ImportError:
    sys.exit("generate.py needs Pillow: python -m pip install pillow")

HERE = Path(__file__).resolve().parent
CASES = HERE / "cases"
SHARED = CASES / "shared"
CASES_TOML = HERE / "cases.toml"

# The tiny run every data and checkpoint case uses: 8x8 grey IDX digits, a small MLP pair.
TINY = """steps = 2
batch_size = 4
log_every = 1
sample_every = 2
checkpoint_every = 2
keep_checkpoints = 2

[model]
kind = "mlp"
latent_dim = 4
g_hidden = [8]
d_hidden = [8]
d_dropout = 0.0
leaky_slope = 0.2
g_output = "tanh"
ema_half_life = 0

[loss.lipschitz]
kind = "none"
"""

FOLDER = TINY + '\n[data]\nkind = "folder"\ndir = ""\nsize = 32\n'

cases = []


def case(name, args, needles, expect="error", **extra):
    """One corpus entry; its files live in cases/NAME (copied to `case/` before it runs)."""
    assert not any(c["name"] == name for c in cases), name
    cases.append({"name": name, "args": args, "needles": needles, "expect": expect, **extra})


def case_dir(name):
    d = CASES / name
    d.mkdir(parents=True, exist_ok=True)
    return d


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


# ----------------------------------------------------------------------------- configurations


def toml_value(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v) if not isinstance(v, float) or v == v else "nan"
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    raise TypeError(v)


def overlay(path, key, value):
    """A TOML document setting `key` (raw TOML text of the value) in table `path`."""
    head = f"[{'.'.join(path)}]\n" if path else ""
    return f"{head}{key} = {value}\n"


def config_case(name, preset, text, needles):
    """A configuration file over a preset; its error names the file, except for networks too
    large for the data's image size (found once the data is open), which name the network and
    the shape instead."""
    d = case_dir(f"config/{name}")
    (d / "config.toml").write_text(text)
    named = [] if "parameters" in needles else ["case/config.toml"]
    case(f"config/{name}", ["train", "--preset", preset, "--config", "case/config.toml", "--out", "out"], [*named, *needles])


def leaves(table, path=()):
    for k, v in table.items():
        if isinstance(v, dict):
            yield from leaves(v, (*path, k))
        else:
            yield path, k, v, table


def misspell(word):
    swapped = word[:-2] + word[-1] + word[-2]
    return swapped if len(word) > 2 and swapped != word else word + "x"


def config_cases(gan):
    names = [line.split()[0] for line in subprocess.run([gan, "presets"], check=True, capture_output=True, text=True).stdout.splitlines()]
    seen = set()
    for preset in names:
        full = tomllib.loads(subprocess.run([gan, "presets", "--show", preset], check=True, capture_output=True, text=True).stdout)
        for path, key, value, table in leaves(full):
            # The same field of the same kind of table is one set of cases, whichever preset has it.
            context = tuple(full_get(full, path[: i + 1]).get("kind", "") for i in range(len(path)))
            ident = (path, context, key)
            # Filter values and the label field name metadata fields and values, which only
            # the folder's metadata can check (the metadata cases test that).
            free_form = tuple(path[:2]) == ("data", "filter") or (tuple(path) == ("data",) and key in ("label", "caption"))
            if ident in seen or key == "kind" and not path or free_form:
                continue
            seen.add(ident)
            dotted = ".".join((*path, key))
            slug = dotted.replace(".", "-") + ("-" + "-".join(c for c in context if c) if any(context) else "")
            wrong = {bool: '"yes"', int: '"many"', float: '"small"', str: "12", list: '"many"'}[type(value)]
            config_case(f"wrong-type-{slug}", preset, overlay(path, key, wrong), [key])
            if key != "kind":
                config_case(f"unknown-key-{slug}", preset, overlay(path, misspell(key), toml_value(value)), [misspell(key)])
            if isinstance(value, str) and key not in ("dir",):
                bad = misspell(value) if value else "nonsense"
                config_case(f"misspelled-{slug}", preset, overlay(path, key, json.dumps(bad)), [bad])
            if isinstance(value, int) and not isinstance(value, bool):
                config_case(f"negative-{slug}", preset, overlay(path, key, "-1"), [key])
                config_case(f"fraction-{slug}", preset, overlay(path, key, "1.5"), [key])
            if isinstance(value, float):
                for v, tag in (("nan", "nan"), ("inf", "inf")):
                    config_case(f"{tag}-{slug}", preset, overlay(path, key, v), [key])
            if isinstance(value, list) and value and isinstance(value[0], int):
                config_case(f"negative-{slug}", preset, overlay(path, key, "[-16]"), [key])
    absurd = [
        ("batch-zero", "mnist-mlp", "batch_size = 0\n", ["batch_size"]),
        ("batch-trillion", "mnist-mlp", "batch_size = 1000000000000\n", ["batch_size"]),
        ("steps-zero", "mnist-mlp", "steps = 0\n", ["steps"]),
        ("steps-trillion", "mnist-mlp", "steps = 1000000000000\n", ["steps"]),
        ("epochs-trillion", "mnist-mlp", "epochs = 1000000000000\n", ["epochs"]),
        ("steps-and-epochs", "mnist-mlp", "steps = 5\nepochs = 5\n", ["steps", "epochs"]),
        ("d-steps-billion", "mnist-mlp", "d_steps = 1000000000\n", ["d_steps"]),
        ("pack-million", "stacked-pacgan2", "pack = 1000000\n", ["pack"]),
        ("pack-not-dividing-batch", "stacked-pacgan2", "pack = 3\n", ["pack"]),
        ("lr-nan", "mnist-mlp", "[optim.g]\nlr = nan\n", ["optim.g.lr"]),
        ("lr-inf", "mnist-mlp", "[optim.d]\nlr = inf\n", ["optim.d.lr"]),
        ("lr-zero", "mnist-mlp", "[optim.g]\nlr = 0.0\n", ["optim.g.lr"]),
        ("lr-negative", "mnist-mlp", "[optim.g]\nlr = -0.001\n", ["optim.g.lr"]),
        ("betas-above-one", "mnist-mlp", "[optim.g]\nbetas = [1.5, 0.9]\n", ["optim.g.betas"]),
        ("betas-three", "mnist-mlp", "[optim.g]\nbetas = [0.5, 0.9, 0.9]\n", ["betas"]),
        ("latent-zero", "mnist-mlp", "[model]\nlatent_dim = 0\n", ["latent_dim"]),
        ("latent-billion", "mnist-mlp", "[model]\nlatent_dim = 1000000000\n", ["latent_dim"]),
        ("hidden-zero", "mnist-mlp", "[model]\ng_hidden = [256, 0]\n", ["g_hidden"]),
        ("hidden-billion", "mnist-mlp", "[model]\nd_hidden = [1000000000]\n", ["d_hidden"]),
        ("hidden-too-many-parameters", "mnist-mlp", "[model]\ng_hidden = [60000, 60000]\n", ["generator", "parameters", "1x28x28"]),
        ("dcgan-base-million", "mnist-dcgan", "[model]\ng_base = 1000000\n", ["g_base"]),
        ("dcgan-base-too-many-parameters", "mnist-dcgan", "[model]\nd_base = 4000\n", ["discriminator", "parameters", "1x28x28"]),
        ("toy-points-trillion", "ring8-ns", "[data]\npoints = 1000000000000\n", ["points"]),
        ("stacked-images-trillion", "stacked-dcgan", "[data]\nimages = 1000000000000\n", ["images"]),
        ("folder-size-zero", "faces128-wgan-gp", "[data]\nsize = 0\n", ["size"]),
        ("folder-size-million", "faces128-wgan-gp", "[data]\nsize = 1000000\n", ["size"]),
        ("real-label-two", "mnist-mlp", "[loss]\nreal_label = 2.0\n", ["real_label"]),
        ("penalty-weight-negative", "mnist-mlp", "[loss.lipschitz]\nweight = -1.0\n", ["weight"]),
        ("clip-zero", "mnist-wgan-clip", "[loss.lipschitz]\nclip = 0.0\n", ["clip"]),
        ("dropout-one", "mnist-mlp", "[model]\nd_dropout = 1.0\n", ["d_dropout"]),
        ("keep-every-typo-type", "mnist-mlp", "keep_every = \"often\"\n", ["keep_every"]),
        ("g-leaky-slope-two", "ring8-ns-r1", "[model]\ng_leaky_slope = 2.0\n", ["g_leaky_slope"]),
        ("unknown-table", "mnist-mlp", "[optimiser]\nlr = 0.1\n", ["optimiser"]),
        ("doctor-patience-zero", "mnist-mlp", "[doctor]\npatience = 0\n", ["doctor.patience"]),
        ("doctor-coverage-two", "mnist-mlp", "[doctor]\nmin_coverage = 2.0\n", ["doctor.min_coverage"]),
        ("doctor-samples-one", "mnist-mlp", "[doctor]\nsamples = 1\n", ["doctor.samples"]),
        ("doctor-every-text", "mnist-mlp", "[doctor]\nevery = \"often\"\n", ["every"]),
        ("doctor-unknown-key", "mnist-mlp", "[doctor]\npatiense = 3\n", ["patiense"]),
        ("doctor-warmup-huge", "mnist-mlp", "[doctor]\nwarmup = 1000000000000\n", ["doctor.warmup"]),
        ("doctor-grad-explode-zero", "mnist-mlp", "[doctor]\ngrad_explode = 0.0\n", ["doctor.grad_explode"]),
        ("doctor-label-accuracy-negative", "mnist-cgan", "[doctor]\nmin_label_accuracy = -0.5\n", ["doctor.min_label_accuracy"]),
        ("doctor-chance-gap-nan", "mnist-mlp", "[doctor]\nchance_gap = nan\n", ["doctor.chance_gap"]),
        ("translation-layer-norm", "edges2fashion-pix2pix", "[model.generator]\nnorm = \"layer\"\n", ["model.generator.norm", "layer"]),
        ("augment-unknown-transform", "mnist-mlp", "[augment]\npolicy = \"color,flip\"\n", ["augment", "flip"]),
        ("augment-twice", "mnist-mlp", "[augment]\npolicy = \"color,cutout,color\"\n", ["augment.policy", "twice"]),
        ("ada-target-two", "mnist-mlp", "[augment]\npolicy = \"color\"\n[augment.ada]\ntarget = 2.0\n", ["augment.ada.target"]),
        ("ada-without-policy", "mnist-mlp", "[augment.ada]\ninterval = 4\n", ["augment.ada needs a policy"]),
        ("critic-cycles-unknown-key", "faces128-wgan-gp", "[critic_cycles]\nsame_reals = true\n", ["same_reals"]),
        ("progan-batch-not-multiple", "emoji-progan", "[model]\nbatch_per_resolution = [32, 20]\n", ["batch_per_resolution", "20"]),
        ("progan-conditional", "emoji-progan", "conditional = true\n", ["conditional", "progan"]),
        ("stylegan2-wasserstein", "emoji-stylegan2", "[loss]\nkind = \"wasserstein\"\n[loss.lipschitz]\nkind = \"gradient-penalty\"\nweight = 10.0\n", ["stylegan2", "loss"]),
        ("stylegan2-bf16", "emoji-stylegan2", "precision = \"bf16\"\n", ["precision", "stylegan2"]),
        ("stylegan2-mapping-zero", "emoji-stylegan2", "[model]\nmapping_layers = 0\n", ["mapping_layers"]),
        ("stylegan2-mixing-two", "emoji-stylegan2", "[model.training]\nstyle_mixing = 2.0\n", ["style_mixing"]),
        ("stylegan2-mbstd-not-dividing", "emoji-stylegan2", "[model]\nmbstd_channels = 3\n", ["mbstd_channels"]),
        ("syntax-error", "mnist-mlp", "steps = [\n", ["line 1"]),
        ("duplicate-key", "mnist-mlp", "steps = 5\nsteps = 6\n", ["steps"]),
        ("not-utf8", "mnist-mlp", None, ["UTF-8"]),
        ("binary-garbage", "mnist-mlp", None, ["case/config.toml"]),
    ]
    for name, preset, text, needles in absurd:
        if text is None:
            d = case_dir(f"config/{name}")
            (d / "config.toml").write_bytes(b"steps = \"\xff\xfe\"\n" if name == "not-utf8" else bytes(range(256)))
            case(f"config/{name}", ["train", "--preset", preset, "--config", "case/config.toml", "--out", "out"], ["case/config.toml", *needles])
        else:
            config_case(name, preset, text, needles)


def full_get(table, path):
    for p in path:
        table = table[p]
    return table


# ----------------------------------------------------------------------------- checkpoints


def st_read(path):
    b = path.read_bytes()
    n = struct.unpack("<Q", b[:8])[0]
    header = json.loads(b[8 : 8 + n])
    meta = header.pop("__metadata__", None)
    data = b[8 + n :]
    return {k: [v["dtype"], v["shape"], data[v["data_offsets"][0] : v["data_offsets"][1]]] for k, v in header.items()}, meta


def st_write(path, tensors, meta=None):
    header, blobs, offset = {}, [], 0
    if meta:
        header["__metadata__"] = meta
    for k in sorted(tensors):
        dtype, shape, raw = tensors[k]
        header[k] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(raw)]}
        offset += len(raw)
        blobs.append(raw)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    path.write_bytes(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def floats(raw):
    return struct.unpack(f"<{len(raw) // 4}f", raw)


def checkpoint_cases(gan):
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        shutil.copytree(SHARED, tmp / "shared")
        subprocess.run([gan, "train", "--config", "shared/tiny.toml", "--data", "shared/digits", "--out", "base", "--no-progress"], cwd=tmp, check=True, capture_output=True)
        base = tmp / "base"
        shutil.rmtree(base / "samples")
        for f in base.glob("*.png"):
            f.unlink()
        # Relative data paths, so that the runs work wherever the corpus is copied.
        for cfg in [base / "config.toml", *base.glob("checkpoints/step-*/config.toml")]:
            text = cfg.read_text()
            start = text.index("dir = ")
            cfg.write_text(text[:start] + 'dir = "shared/digits"' + text[text.index("\n", start) :])
        steps = sorted(base.glob("checkpoints/step-*"))
        assert [s.name for s in steps] == ["step-00000002"], steps
        ckpt_rel = Path("checkpoints") / "step-00000002"

        sample = ["sample", "--run", "case/run", "--out", "case/out.png"]
        resume = ["train", "--resume", "case/run", "--steps", "3", "--no-progress"]

        def run_case(name, mutate, needles, commands=("sample", "resume"), extra=None):
            for command in commands:
                wanted = needles + (extra or {}).get(command, [])
                d = case_dir(f"checkpoints/{name}-{command}")
                run = d / "run"
                if run.exists():
                    shutil.rmtree(run)
                shutil.copytree(base, run)
                mutate(run / ckpt_rel, run)
                case(f"checkpoints/{name}-{command}", sample if command == "sample" else resume, wanted)

        def tensors_edit(file, edit):
            def mutate(ckpt, _run):
                tensors, meta = st_read(ckpt / file)
                edit(tensors)
                st_write(ckpt / file, tensors, meta)

            return mutate

        g_tensors, _ = st_read(base / ckpt_rel / "generator.safetensors")
        first = sorted(k for k, v in g_tensors.items() if len(v[1]) == 2)[0]
        rows, cols = g_tensors[first][1]

        run_case("generator-missing-tensor", tensors_edit("generator.safetensors", lambda t: t.pop(first)), ["generator.safetensors", first])
        run_case("generator-extra-tensor", tensors_edit("generator.safetensors", lambda t: t.update({"net.99.weight": ["F32", [1], b"\0" * 4]})), ["generator.safetensors", "net.99.weight"])

        def transpose(t):
            t[first][1] = [cols, rows]

        run_case("generator-wrong-shape", tensors_edit("generator.safetensors", transpose), ["generator.safetensors", first, f"[{cols}, {rows}]"])

        def shrink(t):
            t[first][1] = [rows, cols - 1]
            t[first][2] = t[first][2][: 4 * rows * (cols - 1)]

        run_case("generator-wrong-size", tensors_edit("generator.safetensors", shrink), ["generator.safetensors", first])

        def as_dtype(dtype):
            def edit(t):
                values = floats(t[first][2])
                fmt = {"F64": "d", "F16": "e", "I64": "q"}[dtype]
                t[first][0] = dtype
                t[first][2] = struct.pack(f"<{len(values)}{fmt}", *[int(v * 100) if fmt == "q" else v for v in values])

            return edit

        for dtype in ["F64", "F16", "I64"]:
            run_case(f"generator-dtype-{dtype.lower()}", tensors_edit("generator.safetensors", as_dtype(dtype)), ["generator.safetensors", first, dtype])

        def nan(t):
            values = list(floats(t[first][2]))
            values[3] = float("nan")
            t[first][2] = struct.pack(f"<{len(values)}f", *values)

        run_case("generator-nan-weight", tensors_edit("generator.safetensors", nan), ["generator.safetensors", first, "NaN"])

        def cut(file, at):
            def mutate(ckpt, _run):
                b = (ckpt / file).read_bytes()
                (ckpt / file).write_bytes(b[: at(len(b))])

            return mutate

        run_case("generator-truncated-half", cut("generator.safetensors", lambda n: n // 2), ["generator.safetensors"])
        run_case("generator-truncated-in-header", cut("generator.safetensors", lambda n: 40), ["generator.safetensors"])
        run_case("generator-truncated-length", cut("generator.safetensors", lambda n: 5), ["generator.safetensors"])
        run_case("generator-zero-size", cut("generator.safetensors", lambda n: 0), ["generator.safetensors"])

        def header_length(value):
            def mutate(ckpt, _run):
                b = (ckpt / "generator.safetensors").read_bytes()
                (ckpt / "generator.safetensors").write_bytes(struct.pack("<Q", value) + b[8:])

            return mutate

        run_case("generator-header-claims-exabytes", header_length(2**62), ["generator.safetensors"])

        def garbage_header(ckpt, _run):
            b = (ckpt / "generator.safetensors").read_bytes()
            n = struct.unpack("<Q", b[:8])[0]
            (ckpt / "generator.safetensors").write_bytes(b[:8] + b"{" * n + b[8 + n :])

        run_case("generator-header-not-json", garbage_header, ["generator.safetensors"])

        def offsets_past_end(ckpt, _run):
            b = (ckpt / "generator.safetensors").read_bytes()
            n = struct.unpack("<Q", b[:8])[0]
            header = json.loads(b[8 : 8 + n])
            header[first]["data_offsets"][1] += 10**9
            h = json.dumps(header).encode()
            h += b" " * (-len(h) % 8)
            (ckpt / "generator.safetensors").write_bytes(struct.pack("<Q", len(h)) + h + b[8 + n :])

        run_case("generator-offsets-past-end", offsets_past_end, ["generator.safetensors"])
        run_case("generator-missing-file", lambda ckpt, _r: (ckpt / "generator.safetensors").unlink(), ["generator.safetensors"])

        d_tensors, _ = st_read(base / ckpt_rel / "discriminator.safetensors")
        d_first = sorted(d_tensors)[0]
        run_case("discriminator-missing-tensor", tensors_edit("discriminator.safetensors", lambda t: t.pop(d_first)), ["discriminator.safetensors", d_first], ["resume"])

        def d_shape(t):
            t[d_first][1] = list(reversed(t[d_first][1])) if len(t[d_first][1]) == 2 else [1, *t[d_first][1]]

        run_case("discriminator-wrong-shape", tensors_edit("discriminator.safetensors", d_shape), ["discriminator.safetensors", d_first], ["resume"])
        run_case("discriminator-truncated", cut("discriminator.safetensors", lambda n: n - 7), ["discriminator.safetensors"], ["resume"])
        o_tensors, _ = st_read(base / ckpt_rel / "optimizer.safetensors")
        o_first = sorted(k for k, v in o_tensors.items() if len(v[1]) == 2)[0]
        run_case("optimizer-missing-tensor", tensors_edit("optimizer.safetensors", lambda t: t.pop(o_first)), ["optimizer.safetensors", o_first], ["resume"])

        def o_shape(t):
            r, c = t[o_first][1]
            t[o_first][1] = [c, r]

        run_case("optimizer-wrong-shape", tensors_edit("optimizer.safetensors", o_shape), ["optimizer.safetensors", o_first], ["resume"])
        run_case("optimizer-missing-file", lambda ckpt, _r: (ckpt / "optimizer.safetensors").unlink(), ["optimizer.safetensors"], ["resume"])

        def state_edit(edit):
            def mutate(ckpt, _run):
                s = json.loads((ckpt / "state.json").read_text())
                text = edit(s)
                (ckpt / "state.json").write_text(text if isinstance(text, str) else json.dumps(s))

            return mutate

        run_case("state-future-format", state_edit(lambda s: s.update(format=2)), ["state.json", "format 2"])
        run_case("state-not-json", state_edit(lambda s: "{ step: two }"), ["state.json"])
        run_case("state-missing-field", state_edit(lambda s: s.pop("batches_consumed")), ["state.json", "batches_consumed"])
        run_case("state-negative-step", state_edit(lambda s: s.update(step=-1)), ["state.json", "step"])
        # Sampling reads no data, so it finds the mismatch in the weights; resuming in the data.
        by_command = {"sample": ["generator.safetensors", "[192"], "resume": ["3x8x8", "1x8x8"]}
        run_case("state-wrong-image", state_edit(lambda s: s["image"].update(channels=3)), ["step-00000002"], extra=by_command)
        run_case("state-absurd-image", state_edit(lambda s: s["image"].update(height=10**9)), ["state.json", "1x1000000000x8"])
        run_case("state-wrong-classes", state_edit(lambda s: s.update(classes=10)), ["step-00000002", "10 classes"])

        def pointer(text):
            def mutate(_ckpt, run):
                (run / "checkpoints" / "latest").write_bytes(text)

            return mutate

        run_case("latest-names-missing-step", pointer(b"step-00000099\n"), ["latest", "step-00000099"])
        run_case("latest-garbage", pointer(b"\xff\x00../../etc\n"), ["latest"])
        run_case("run-config-corrupt", lambda _c, run: (run / "config.toml").write_text("steps = [\n"), ["case/run/config.toml"])
        run_case("run-config-missing", lambda _c, run: (run / "config.toml").unlink(), ["case/run", "config.toml"])
        # Controls: the undamaged run samples and resumes.
        for command, args in (("sample", sample), ("resume", resume)):
            d = case_dir(f"checkpoints/intact-{command}")
            if (d / "run").exists():
                shutil.rmtree(d / "run")
            shutil.copytree(base, d / "run")
            case(f"checkpoints/intact-{command}", args, [], "ok")


# ----------------------------------------------------------------------------- prompts

# A tiny run conditioned on text: captions read by the shipped emoji matcher.
TEXT = """steps = 2
batch_size = 4
conditional = true
log_every = 1
sample_every = 2
checkpoint_every = 2

[text]

[data]
kind = "folder"
dir = "case/captioned"
size = 16
label = "text"

[model]
kind = "dcgan"
latent_dim = 4
g_base = 4
d_base = 4
d_norm = "none"
projection = true
ema_half_life = 0

[model.augment_condition]
dim = 4
kl_weight = 1.0
"""


def prompt_cases(gan):
    """`gan sample` / `gan interpolate` prompts that cannot be read: no known word, no word at
    all, a prompt for a run without captions; each refused in one line, nothing written."""
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        shutil.copytree(SHARED, tmp / "shared")
        folder = tmp / "case" / "captioned"
        folder.mkdir(parents=True)
        rows = []
        for word, rgb in (("red", (220, 30, 30)), ("blue", (30, 30, 220))):
            for shape in ("square", "circle"):
                Image.new("RGB", (16, 16), rgb).save(folder / f"{word}-{shape}.png")
                rows.append(json.dumps({"file_name": f"{word}-{shape}.png", "text": f"{word} {shape}", "keywords": [word, shape]}))
        (folder / "metadata.jsonl").write_text("\n".join(rows) + "\n")
        (tmp / "text.toml").write_text(TEXT)
        subprocess.run([gan, "train", "--config", "text.toml", "--out", "case/run", "--no-progress"], cwd=tmp, check=True, capture_output=True)
        subprocess.run([gan, "train", "--config", "shared/tiny.toml", "--data", "shared/digits", "--out", "case/plain", "--no-progress"], cwd=tmp, check=True, capture_output=True)
        for run in ("run", "plain"):
            for sub in ("samples", "tb"):
                shutil.rmtree(tmp / "case" / run / sub, ignore_errors=True)
            for f in (tmp / "case" / run).glob("*.png"):
                f.unlink()
        prompts = [
            ("unknown-words", "run", ["sample", "--prompt", "purpel sqare"], ["--prompt", "purpel sqare", "nearest known"]),
            ("empty", "run", ["sample", "--prompt", ""], ["--prompt", "the prompt is empty"]),
            ("empty-keywords", "run", ["sample", "--keywords", ","], ["--keywords", "the prompt is empty"]),
            ("neither", "run", ["sample"], ["draws from text", "--prompt"]),
            ("interpolate-unknown", "run", ["interpolate", "--from-prompt", "red", "--to-prompt", "qqqq"], ["--to-prompt", "qqqq"]),
            ("run-without-captions", "plain", ["sample", "--prompt", "red square"], ["without class labels"]),
            ("keywords-without-captions", "plain", ["sample", "--keywords", "red"], ["--keywords", "not trained on captions"]),
            ("interpolate-without-captions", "plain", ["interpolate", "--from-prompt", "red", "--to-prompt", "blue"], ["not trained on captions"]),
            ("held-out-without-captions", "plain", ["sample", "--held-out", "2"], ["--held-out", "not trained on captions"]),
            ("held-out-too-many-designs", "run", ["sample", "--held-out", "2", "--n", "17"], ["--held-out", "--n 17"]),
        ]
        for name, run, args, needles in prompts:
            d = case_dir(f"prompts/{name}")
            shutil.copytree(tmp / "case" / run, d / run)
            if run == "run":
                shutil.copytree(folder, d / "captioned")
            case(f"prompts/{name}", [args[0], "--run", f"case/{run}", *args[1:], "--out", "case/out.png"], needles)


# ----------------------------------------------------------------------------- pickles


class Calls:
    """Pickles as `fn(*args)`: what a malicious file's `__reduce__` makes."""

    def __init__(self, fn, args):
        self.fn, self.args = fn, args

    def __reduce__(self):
        return (self.fn, self.args)


def pickle_cases():
    """`gan import stylegan2` on files that are not a generator or ask to run code: refused
    by name, nothing run (the commands would leave a file `pwned`) and nothing written."""
    import os
    import pickle

    good = pickle.dumps({"g_ema": {}, "latent_avg": None}, protocol=4)
    files = {
        "os-system": (pickle.dumps(Calls(os.system, ("touch pwned",))), ["evil.pkl", "refused to call posix.system"]),
        "builtins-eval": (pickle.dumps(Calls(eval, ("open('pwned', 'w')",))), ["evil.pkl", "refused to call builtins.eval"]),
        "subprocess": (pickle.dumps(Calls(subprocess.call, (["touch", "pwned"],))), ["evil.pkl", "refused to call subprocess.call"]),
        "truncated": (good[: len(good) // 2], ["evil.pkl", "truncated"]),
        "not-a-generator": (pickle.dumps({"model": [1, 2]}), ["evil.pkl", "g_ema", "holds the keys model"]),
        "empty-generator": (good, ["evil.pkl", "mapping.fc0.weight"]),
    }
    for name, (content, needles) in files.items():
        (case_dir(f"pickles/{name}") / "evil.pkl").write_bytes(content)
        case(f"pickles/{name}", ["import", "stylegan2", "case/evil.pkl", "--out", "out"], needles)


def write_manifest():
    out = ["# Generated by generate.py: do not edit by hand (make corpus).", ""]
    for c in cases:
        out.append("[[case]]")
        for k, v in c.items():
            out.append(f"{k} = {toml_value(v)}")
        out.append("")
    CASES_TOML.write_text("\n".join(out))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gan", default="target/release/gan")
    a = ap.parse_args()
    gan = str(Path(a.gan).resolve())
    if CASES.exists():
        shutil.rmtree(CASES)
    SHARED.mkdir(parents=True)
    (SHARED / "tiny.toml").write_text(TINY)
    (SHARED / "folder.toml").write_text(FOLDER)
    (SHARED / "digits").mkdir()
    images, labels = digits()
    (SHARED / "digits" / "train-images-idx3-ubyte").write_bytes(images)
    (SHARED / "digits" / "train-labels-idx1-ubyte").write_bytes(labels)
    idx_cases()
    image_cases()
    metadata_cases()
    config_cases(gan)
    checkpoint_cases(gan)
    prompt_cases(gan)
    pickle_cases()
    write_manifest()
    counts = {}
    for c in cases:
        counts[c["name"].split("/")[0]] = counts.get(c["name"].split("/")[0], 0) + 1
    print(f"{len(cases)} cases: " + ", ".join(f"{n} {k}" for k, n in counts.items()))


if __name__ == "__main__":
    main()

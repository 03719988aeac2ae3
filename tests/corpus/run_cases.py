"""The run groups of the corpus: damaged checkpoints of a tiny run, and prompts a text run cannot
read."""

import json
import shutil
import struct
import subprocess
import tempfile
from pathlib import Path

from PIL import Image

from common import SHARED, case, case_dir

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
        for sub in ("samples", "tb"):
            shutil.rmtree(base / sub, ignore_errors=True)
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

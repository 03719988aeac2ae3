"""What every group of the corpus shares: where it is written, the tiny run, and the list of
cases (see generate.py)."""

import json
from pathlib import Path

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

"""The configuration group of the corpus: every field of every preset's configuration made bad."""

import json
import subprocess
import tomllib

from common import case, case_dir, toml_value

# ----------------------------------------------------------------------------- configurations


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
    if len(word) <= 2:
        return word + "x"
    swapped = word[:-2] + word[-1] + word[-2]
    return swapped if swapped != word else word + "x"


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
            # Folder names (`dir`, a styles source's `a` and `b`) are checked against the disk
            # when the data opens (the gan-data tests do that), not by the configuration.
            if isinstance(value, str) and key not in ("dir", "a", "b"):
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
        ("translation-wasserstein", "edges2fashion-cyclegan", "[model]\nloss = \"wasserstein\"\n", ["model.loss", "wasserstein"]),
        ("translation-end-factor-held", "edges2fashion-pix2pix", "end_factor = 0.25\n", ["end_factor", "hold-then-linear"]),
        ("translation-decay-from-nan", "edges2fashion-pix2pix", "decay_from = nan\n", ["decay_from"]),
        ("translation-decay-from-text", "edges2fashion-pix2pix", "decay_from = \"half\"\n", ["decay_from"]),
        ("translation-decay-from-cosine", "edges2fashion-pix2pix", "schedule = \"cosine\"\ndecay_from = 0.5\n", ["decay_from", "cosine"]),
        ("schedule-decay-from-linear", "mnist-mlp", "[optim]\nschedule = \"linear\"\ndecay_from = 0.5\n", ["optim.decay_from", "linear"]),
        ("styles-one-style-twice", "emoji-styles-pix2pix", "[data]\nb = \"google\"\n", ["data.a", "data.b", "google"]),
        ("styles-size-zero", "emoji-styles-cyclegan", "[data]\nsize = 0\n", ["data.size"]),
        ("rendered-rotation-huge", "mnist-mlp", "[data]\nkind = \"rendered-digits\"\nrotation = 400.0\n", ["data.rotation"]),
        ("rendered-height-reversed", "mnist-mlp", "[data]\nkind = \"rendered-digits\"\nheight = [0.8, 0.5]\n", ["data.height"]),
        ("rendered-blur-nan", "mnist-mlp", "[data]\nkind = \"rendered-digits\"\nblur = [0.0, nan]\n", ["data.blur"]),
        ("rendered-images-zero", "mnist-mlp", "[data]\nkind = \"rendered-digits\"\nimages = 0\n", ["data.images"]),
        ("rendered-unknown-key", "mnist-mlp", "[data]\nkind = \"rendered-digits\"\nblurr = [0.0, 1.0]\n", ["blurr"]),
        ("rendered-elastic-alpha-negative", "mnist-mlp", "[data]\nkind = \"rendered-digits\"\nelastic = { alpha = -2.0 }\n", ["data.elastic.alpha", "-2"]),
        ("rendered-elastic-no-alpha", "mnist-mlp", "[data]\nkind = \"rendered-digits\"\nelastic = { sigma = 4.0 }\n", ["alpha"]),
        ("simgan-render-elastic-sigma-zero", "mnist-simgan", "[data.render]\nelastic = { alpha = 34.0, sigma = 0.0 }\n", ["data.render.elastic.sigma"]),
        ("simgan-render-elastic-unknown-key", "mnist-simgan", "[data.render.elastic]\nalpha = 34.0\nsigmaa = 4.0\n", ["sigmaa"]),
        ("cartoongan-vgg19-missing", "emoji-cartoongan", "[model]\ncontent = { vgg19 = { weights = \"nowhere.safetensors\" } }\n", ["model.content.vgg19.weights", "nowhere.safetensors"]),
        ("cartoongan-content-unknown", "emoji-cartoongan", "[model]\ncontent = { alexnet = { weights = \"a.safetensors\" } }\n", ["alexnet"]),
        ("simgan-lambda-negative", "mnist-simgan", "[model]\nlambda_reg = -0.5\n", ["model.lambda_reg", "-0.5"]),
        ("simgan-refiner-updates-zero", "mnist-simgan", "[model]\nrefiner_updates = 0\n", ["model.refiner_updates"]),
        ("simgan-render-blur-reversed", "mnist-simgan", "[data.render]\nblur = [2.0, 0.5]\n", ["data.render.blur"]),
        ("simgan-render-unknown-key", "mnist-simgan", "[data.render]\nfontz = 3\n", ["fontz"]),
        ("simgan-render-fonts-unknown", "mnist-simgan", "[data.render]\nfonts = \"comic\"\n", ["comic"]),
        ("simgan-consistency-weight-negative", "mnist-simgan", "[model.consistency]\nweight = -1.0\n", ["model.consistency.weight", "-1"]),
        ("simgan-consistency-epochs-zero", "mnist-simgan", "[model.consistency]\nweight = 1.0\nepochs = 0\n", ["model.consistency.epochs"]),
        ("simgan-consistency-no-weight", "mnist-simgan", "[model.consistency]\nepochs = 2\n", ["weight"]),
        ("translation-layer-norm", "edges2fashion-pix2pix", "[model.generator]\nnorm = \"layer\"\n", ["model.generator.norm", "layer"]),
        ("augment-unknown-transform", "mnist-mlp", "[augment]\npolicy = \"color,flip\"\n", ["augment", "flip"]),
        ("augment-twice", "mnist-mlp", "[augment]\npolicy = \"color,cutout,color\"\n", ["augment.policy", "twice"]),
        ("ada-target-two", "mnist-mlp", "[augment]\npolicy = \"color\"\n[augment.ada]\ntarget = 2.0\n", ["augment.ada.target"]),
        ("ada-without-policy", "mnist-mlp", "[augment.ada]\ninterval = 4\n", ["augment.ada needs a policy"]),
        ("critic-cycles-unknown-key", "faces128-wgan-gp", "[critic_cycles]\nsame_reals = true\n", ["same_reals"]),
        ("progan-batch-not-multiple", "emoji-progan", "[model]\nbatch_per_resolution = [32, 20]\n", ["batch_per_resolution", "20"]),
        ("progan-conditional", "emoji-progan", "conditional = true\n", ["conditional", "progan"]),
        ("stylegan2-wasserstein", "emoji-stylegan2", "[loss]\nkind = \"wasserstein\"\n[loss.lipschitz]\nkind = \"gradient-penalty\"\nweight = 10.0\n", ["stylegan2", "loss"]),
        ("stylegan2-r1-r2-every", "emoji-stylegan2", "[loss]\nkind = \"relativistic\"\n[loss.lipschitz]\nkind = \"r1-r2\"\nweight = 0.1\nevery = 4\n", ["loss.lipschitz", "r1_every"]),
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

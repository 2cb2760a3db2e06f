#!/usr/bin/env python3
"""The PyTorch side of the training-trajectory parity harness (docs/parity.md).

    python3 bench/parity/replay_torch.py RECORD_DIR [--device cpu|cuda] [--json OUT.json] [--threads N]

RECORD_DIR is what dev.mtdtl.bench.parity.ParityRecord wrote: run/checkpoints/it-000000000 (mtdtl's
initial weights), run/checkpoints/it-<N> (mtdtl's state after N iterations) and steps/it-*.safetensors
(per iteration: the drawn source, the batch tensors, mtdtl's dropout masks in call order and mtdtl's loss).

The mirror module (nn/src/test/python/multisource_torch.py) is loaded from the initial checkpoint with
load_state_dict(strict=True) and trained on the same batches with the same masks: one torch.optim.Adam per
group (the shared trunk, each source's branch), stepping only the shared group and the drawn source's, as
Algorithm 1 does; KL(z || softmax) as the mean over B*K. It is replayed five times: in float32 (the
comparison) and four references, other correct ways to compute the same run: convolutions by another
algorithm (another rounding order), the loss gradient and Adam by other kernels, both, and float64. How far
the references lie from the first is the noise that rounding alone causes on this trajectory; the
tolerances are built from it (TOLERANCES below). Then per iteration the loss, and at the end every
parameter, BN running statistic, num_batches_tracked, Adam moment and step count are compared.

Exit status 0 when every comparison is within its tolerance, 1 otherwise; --json writes the numbers.
"""
import argparse
import glob
import json
import math
import os
import re
import sys

import torch
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "nn", "src", "test", "python"))
import multisource_torch as ms  # noqa: E402

# Tolerances (why: docs/parity.md). float32 sums in another order differ by a few ulps, and a training run
# feeds each step's rounding into the next (Adam's first steps are +-lr whatever the gradient's size; a
# ReLU or max-pool decision flips), so two correct float32 implementations drift apart. How fast is a
# property of the model and data, measured on the same replay: torch32 against the references (other conv
# algorithm, other loss/Adam kernels, both, float64). mtdtl may differ from torch32 by FACTOR times that noise
# (the largest over the references, and for the loss its running maximum over the iterations so far; FACTOR
# covers the spread of a chaotic amplification between independent roundings), never less than FLOOR.
# A wrong update (a group stepped when idle, a mask in another order, L2 on the wrong tensors, running
# statistics updated twice) changes the loss by 1e-3..1e-1 within a step or two, and the tensors it touches
# by O(lr) per step, while the noise in the first tens of iterations is 1e-7..1e-5.
TOLERANCES = {"factor": 10.0, "loss_floor": 1e-5, "tensor_floor": 1e-5, "undetermined_noise": 0.05}

# Tensors whose value the data does not determine: a bias that feeds a batch norm in training mode has a
# zero gradient in exact arithmetic (the BN subtracts the batch mean), so its computed gradient is rounding
# noise, and Adam (eps 1e-8) turns noise into steps of up to +-lr of either sign, in any implementation
# (every reference drifts from float32 torch the same way). These biases, their Adam moments, and every BN
# running_mean (which adds the bias history to the mean of W x) are listed, not judged; running_mean is
# judged after removing that bias history (running_mean - EMA of the bias), which the data does determine.
UNDETERMINED = re.compile(r"(conv\w+\.bias|fc_feature\.bias|fc_pair\.bias)$")
BN_OF_BIAS = {"bn1": "conv1", "bn2": "conv2", "bn3": "conv3", "bn4": "conv4", "bn5": "conv5", "bn61": "conv61",
              "bn62": "conv62", "bn_feature": "fc_feature", "bn_pair": "fc_pair"}


def rel_l2(a, b):
    a = a.double().cpu()
    b = b.double().cpu()
    n = b.norm().item()
    d = (a - b).norm().item()
    return d / n if n > 0 else d


def groups_of(net, side):
    """[(group name, [(state-dict name, param)])]: shared (if the strategy shares stages), then each source."""
    named = dict(net.named_parameters())
    out = []
    if ms.SHARED_STAGES[side["strategy"]] > 0:
        out.append(("shared", [(n, p) for n, p in named.items() if n.startswith("shared.")]))
    for s in side["sources"].split(","):
        out.append((s, [(n, p) for n, p in named.items() if n.startswith("branches." + s + ".")]))
    return out


class BiasHistory:
    """Per BN module, the running average of the bias that fed it, updated as BN updates running_mean:
    r <- (1 - m) r + m b on every training-mode call (twice per self iteration: two calls). Kept for the
    replay's own bias ("torch") and for mtdtl's recorded pre-step bias of the same iteration ("mtdtl")."""

    def __init__(self, net):
        self.ema = {}
        self.java = {}
        self.step = {}          # the current step's recorded tensors (bias:NAME)
        for name, mod in net.named_modules():
            leaf = name.split(".")[-1]
            if leaf in BN_OF_BIAS:
                parent = net.get_submodule(name.rsplit(".", 1)[0]) if "." in name else net
                lin_name = (name.rsplit(".", 1)[0] + "." if "." in name else "") + BN_OF_BIAS[leaf]
                self.ema[name] = torch.zeros_like(mod.running_mean)   # running_mean starts at 0
                self.java[name] = torch.zeros_like(mod.running_mean)
                mod.register_forward_pre_hook(self._hook(name, mod, getattr(parent, BN_OF_BIAS[leaf]), lin_name))

    def _hook(self, name, mod, lin, lin_name):
        def f(_m, _inp):
            if mod.training:
                m = mod.momentum
                self.ema[name] = (1 - m) * self.ema[name] + m * lin.bias.detach()
                self.java[name] = (1 - m) * self.java[name] + m * self.step["bias:" + lin_name + ".bias"]
        return f


# Deliberate bugs for the negative controls (--inject): the harness must report each of them.
INJECTIONS = {
    "mask-order": "self iterations: the x and x2 feature-dropout masks swapped",
    "idle-step": "every group's Adam steps every iteration (idle groups with zero gradients)",
    "no-l2": "Adam without the coupled L2 (weight_decay 0)",
    "bn-momentum": "BN running statistics with momentum 0.2 instead of 0.1",
}
INJECT = None


def replay(rec, dtype, device, alt=False):
    """Train the mirror on the recorded run: (net, side, groups, optimisers, losses, bias history, final ck).
    alt: the second float32 implementation (call inside OtherAlgorithms): log-softmax as logits - logsumexp
    and the fused Adam kernel, so that the loss gradient and the update are rounded differently too."""
    cks = sorted(glob.glob(os.path.join(rec, "run", "checkpoints", "it-*")))
    net, side, _ = ms.load(cks[0])
    net = net.to(device=device, dtype=dtype)
    if INJECT == "bn-momentum":
        for m in net.modules():
            if isinstance(m, torch.nn.modules.batchnorm._BatchNorm):
                m.momentum = 0.2
    c = side["config"]
    groups = groups_of(net, side)
    wd = 0.0 if INJECT == "no-l2" else c["weight_decay"]
    opts = {g: torch.optim.Adam([p for _, p in ps], lr=c["lr"], betas=(c["beta1"], c["beta2"]), eps=c["eps"],
                                weight_decay=wd, **({"fused": True} if alt else {})) for g, ps in groups}
    queue = []

    def drop(h):
        m = queue.pop(0)
        if m.shape != h.shape:
            raise ValueError("recorded mask %s for a dropout input %s" % (tuple(m.shape), tuple(h.shape)))
        return h * m

    net.drop = drop
    hist = BiasHistory(net)
    net.train()
    losses = []
    files = sorted(glob.glob(os.path.join(rec, "steps", "it-*.safetensors")))
    for path in files:
        t, meta = ms.read_safetensors(path)
        s = meta["source"]
        t = {k: v.to(device=device, dtype=dtype) for k, v in t.items()}
        queue[:] = [t["mask.%d" % i] for i in range(sum(1 for k in t if k.startswith("mask.")))]
        if INJECT == "mask-order" and s == "self":
            queue[0], queue[1] = queue[1], queue[0]
        hist.step = t
        net.zero_grad(set_to_none=INJECT != "idle-step")
        logits = net(t["x"], s, t.get("x2"))
        if queue:
            raise ValueError("%s: %d recorded masks left unused" % (path, len(queue)))
        # PyTorch 0.4's kl_div default, as the authors' code: the mean over all B*K elements (decision 8)
        logp = logits - torch.logsumexp(logits, 1, keepdim=True) if alt else F.log_softmax(logits, 1)
        loss = F.kl_div(logp, t["z"], reduction="sum") / t["z"].numel()
        loss.backward()
        if INJECT == "idle-step":
            for g in opts:
                opts[g].step()
        else:
            if "shared" in opts:
                opts["shared"].step()
            opts[s].step()
        losses.append((s, float(t["loss"][0]), loss.item()))
    return net, side, groups, opts, losses, hist, cks[-1]


def first_above(rels, x):
    for i, r in enumerate(rels):
        if r > x:
            return i
    return None


class OtherAlgorithms:
    """Within this block torch computes convolutions with another algorithm (CPU: its native im2col path
    instead of oneDNN; CUDA: its native kernels instead of cuDNN), so every conv sum is rounded in another
    order; with replay(alt=True) also the loss gradient and Adam: a second float32 PyTorch, as different from
    the first as mtdtl may legitimately be."""

    def __init__(self, device):
        self.cuda = device.type == "cuda"

    def __enter__(self):
        if self.cuda:
            self.saved = torch.backends.cudnn.enabled
            torch.backends.cudnn.enabled = False
        else:
            self.saved = torch.backends.mkldnn.enabled
            torch.backends.mkldnn.enabled = False

    def __exit__(self, *exc):
        if self.cuda:
            torch.backends.cudnn.enabled = self.saved
        else:
            torch.backends.mkldnn.enabled = self.saved


def compare(rec, device, threads):
    torch.set_num_threads(threads)
    if hasattr(torch.backends, "nnpack"):
        torch.backends.nnpack.set_flags(False)   # CPUs without NNPACK support warn on every conv otherwise
    if device.type == "cuda":
        # pure float32 on the GPU: cuDNN convolutions default to TF32 (10-bit mantissa) on Ampere and later
        torch.backends.cudnn.allow_tf32 = False
        torch.backends.cuda.matmul.allow_tf32 = False
    n32, side, g32, o32, l32, h32, final = replay(rec, torch.float32, device)
    # The references: other correct ways to compute the same run. A trajectory is chaotic, so one reference
    # is one sample of when rounding makes it depart; several give the spread (REFERENCES in the docs).
    refs = {}
    with OtherAlgorithms(device):
        refs["conv"] = replay(rec, torch.float32, device)
    refs["loss+adam"] = replay(rec, torch.float32, device, alt=True)
    with OtherAlgorithms(device):
        refs["conv+loss+adam"] = replay(rec, torch.float32, device, alt=True)
    refs["float64"] = replay(rec, torch.float64, device)
    java_model, _ = ms.read_safetensors(os.path.join(final, "model.safetensors"))
    java_optim, _ = ms.read_safetensors(os.path.join(final, "optim.safetensors"))
    fac, lfloor, tfloor = TOLERANCES["factor"], TOLERANCES["loss_floor"], TOLERANCES["tensor_floor"]

    # per iteration: loss of the drawn source; noise = the largest torch32-vs-reference difference
    rel_jt = [abs(j - t) / abs(t) for (_, j, t) in l32]
    rel_refs = {k: [abs(t - a) / abs(t) for (_, _, t), (_, _, a) in zip(l32, v[4])] for k, v in refs.items()}
    noise = [max(x) for x in zip(*rel_refs.values())]
    worst_noise = 0.0
    loss_bad = []
    for i, (a, b) in enumerate(zip(rel_jt, noise)):
        worst_noise = max(worst_noise, b)           # the noise so far: a perturbation, once made, stays
        if a > max(lfloor, fac * worst_noise):
            loss_bad.append(i)

    # at the end: every tensor. Java names: model = state dict names; optim = G/<name>.exp_avg[_sq], G.step
    rows = []
    s32 = n32.state_dict()
    sref = {k: v[0].state_dict() for k, v in refs.items()}

    def add(kind, name, j, t, others, judged=True):
        if j.dtype == torch.int64 or kind == "step":
            ok = torch.equal(j.double().cpu(), t.double().cpu())
            rows.append(dict(kind=kind, name=name, rel=0.0 if ok else 1.0, noise=0.0, tol=0.0, judged=True, ok=ok))
            return
        r, nz = rel_l2(j, t), max(rel_l2(t, a) for a in others)
        tol = max(tfloor, fac * nz)
        # A tensor that rounding alone moves by more than UNDETERMINED_NOISE relative (torch32 vs a reference)
        # is not determined by a float32 run (e.g. the BN beta of a block whose output a later BN normalises
        # again over a 1x1 map: its gradient is near zero too): listed, not judged.
        judged = judged and nz <= TOLERANCES["undetermined_noise"]
        rows.append(dict(kind=kind, name=name, rel=r, noise=nz, tol=tol, judged=judged, ok=(r <= tol) or not judged))

    if set(java_model) != set(s32):
        raise ValueError("state dict names differ: only mtdtl %s, only torch %s"
                         % (sorted(set(java_model) - set(s32)), sorted(set(s32) - set(java_model))))
    for name in java_model:
        j, t, others = java_model[name], s32[name], [sr[name] for sr in sref.values()]
        if name.endswith("running_mean"):
            add("running_mean", name, j, t, others, judged=False)
            bn = name[:-len(".running_mean")]
            # running_mean = EMA of the batch means of W x + b = EMA(mean W x) + EMA(b): the first part is
            # determined by the data and judged; the second is each side's own bias history (UNDETERMINED).
            add("running_mean-bias_ema", name, j - h32.java[bn].cpu().float(), t - h32.ema[bn],
                [sr[name] - v[5].ema[bn] for sr, v in zip(sref.values(), refs.values())])
        elif name.endswith("num_batches_tracked"):
            add("num_batches_tracked", name, j, t, others)
        elif name.endswith("running_var"):
            add("running_var", name, j, t, others)
        else:
            add("param", name, j, t, others, judged=not UNDETERMINED.search(name))
    for gi, (g, ps32) in enumerate(g32):
        for pi, (name, p32) in enumerate(ps32):
            st32 = o32[g].state.get(p32, {})
            strefs = [v[3][g].state.get(v[2][gi][1][pi][1], {}) for v in refs.values()]
            for k in ("exp_avg", "exp_avg_sq"):
                key = "%s/%s.%s" % (g, name, k)
                if not st32:
                    ok = not java_optim[key].any().item()
                    rows.append(dict(kind=k, name=key, rel=0.0 if ok else 1.0, noise=0.0, tol=0.0, judged=True, ok=ok))
                    continue
                add(k, key, java_optim[key], st32[k], [st[k] for st in strefs], judged=not UNDETERMINED.search(name))
        steps = o32[g].state[ps32[0][1]]["step"] if o32[g].state else torch.tensor(0.0)
        add("step", g + ".step", java_optim[g + ".step"].reshape(()), steps.reshape(()), [])

    judged = [r for r in rows if r["judged"]]
    params = [r for r in rows if r["kind"] == "param" and r["judged"]]

    def weights_l2(x, y):
        """relative L2 of y - x over all weight tensors together (conv, linear, BN gamma)."""
        num = den = 0.0
        for name in java_model:
            if name.endswith("weight"):
                num += (x[name].double().cpu() - y[name].double().cpu()).norm().item() ** 2
                den += y[name].double().cpu().norm().item() ** 2
        return math.sqrt(num / den)

    result = {
        "strategy": side["strategy"], "sources": side["sources"], "iterations": len(l32),
        "torch": torch.__version__, "device": str(device), "threads": threads,
        "drawn": [s for s, _, _ in l32],
        "loss_mtdtl": [j for _, j, _ in l32], "loss_torch": [t for _, _, t in l32],
        "loss_refs": {k: [a for _, _, a in v[4]] for k, v in refs.items()},
        "loss_rel": rel_jt, "loss_rel_refs": rel_refs, "loss_noise": noise,
        "loss_rel_max": max(rel_jt), "loss_noise_max": max(noise),
        "loss_first_above": {str(x): first_above(rel_jt, x) for x in (1e-6, 1e-5, 1e-4, 1e-3)},
        "loss_noise_first_above": {str(x): first_above(noise, x) for x in (1e-6, 1e-5, 1e-4, 1e-3)},
        "loss_refs_first_above": {k: {str(x): first_above(v, x) for x in (1e-5, 1e-3)} for k, v in rel_refs.items()},
        "loss_bad_iterations": loss_bad,
        "weights_rel_l2": weights_l2(java_model, s32),
        "weights_rel_l2_refs": {k: weights_l2(sr, s32) for k, sr in sref.items()},
        "params_rel_max": max(r["rel"] for r in params),
        "tensors": rows,
        "judged": len(judged), "failed": [r["name"] for r in judged if not r["ok"]],
        "tolerances": TOLERANCES,
    }
    result["ok"] = not loss_bad and not result["failed"]
    return result


def report(r, verbose):
    """Print a result: the rows beyond tolerance (every row with verbose) and a summary line."""
    for row in r["tensors"]:
        if verbose or (row["judged"] and not row["ok"]):
            print("%-4s %-22s %-55s rel %.3g  noise %.3g  tol %.3g%s"
                  % ("ok" if row["ok"] else "BAD", row["kind"], row["name"], row["rel"], row["noise"], row["tol"],
                     "" if row["judged"] else "  (not judged)"))
    fa, fn = r["loss_first_above"], r["loss_noise_first_above"]
    print("%s %s: %d iterations; loss rel diff max %.3g (noise: torch vs torch %.3g), first > 1e-5 at %s (noise %s),"
          " > 1e-3 at %s (noise %s); weights rel L2 %.3g (torch vs torch %.3g); %d tensors judged, %d beyond"
          " tolerance; %s"
          % (r["strategy"], r["sources"], r["iterations"], r["loss_rel_max"], r["loss_noise_max"], fa["1e-05"],
             fn["1e-05"], fa["0.001"], fn["0.001"], r["weights_rel_l2"], max(r["weights_rel_l2_refs"].values()),
             r["judged"], len(r["failed"]),
             "OK" if r["ok"] else "FAILED (loss iterations %s)" % r["loss_bad_iterations"][:10]))
    sys.stdout.flush()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("records", nargs="+", help="directories written by ParityRecord")
    ap.add_argument("--device", default="cpu", help="cpu, cuda, cuda:N (where the replay runs)")
    ap.add_argument("--threads", type=int, default=1, help="torch CPU threads")
    ap.add_argument("--json", help="write the results (a list, one per record) here")
    ap.add_argument("-v", action="store_true", help="print every tensor's row")
    ap.add_argument("--inject", choices=sorted(INJECTIONS),
                    help="negative control: replay with this deliberate bug on the torch side (expect FAILED): "
                    + "; ".join("%s = %s" % kv for kv in sorted(INJECTIONS.items())))
    a = ap.parse_args()
    global INJECT
    INJECT = a.inject
    results = []
    for rec in a.records:
        results.append(compare(rec, torch.device(a.device), a.threads))
        report(results[-1], a.v)
    if a.json:
        tmp = a.json + ".tmp"
        with open(tmp, "w") as f:
            json.dump(results, f)
        os.replace(tmp, a.json)
    return 0 if all(r["ok"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())

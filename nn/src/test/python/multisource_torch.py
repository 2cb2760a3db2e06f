"""PyTorch mirror of dev.mtdtl.nn.MultiSourceNet, and a check that an mtdtl checkpoint loads into it.

Usage: python3 multisource_torch.py CHECKPOINT_DIR [IO.safetensors ...]
       python3 multisource_torch.py --train CK_BEFORE CK_AFTER BATCH.safetensors ...

Builds the module described by CHECKPOINT_DIR/checkpoint.json (strategy, sources, spec), loads
CHECKPOINT_DIR/model.safetensors with load_state_dict(strict=True), and, for each IO file (tensors
"x", optionally "x2", and "logits"; metadata "source"), compares its eval-mode logits with the Java
ones. Exit status 0 when all match.

--train: from CK_BEFORE (an iteration-0 checkpoint, so Adam's moments are zero), run Algorithm 1's
step on each BATCH (tensors "x", optionally "x2", "z"; metadata "source") with one torch.optim.Adam
per group (shared, and one per source) stepping only shared and the batch's source, KL mean over
B*K; then compare every tensor with CK_AFTER (needs dropout 0: the mask streams differ). With the `safetensors` package installed,
safetensors.torch.load_file(path) gives the same dict as read_safetensors below.
"""
import json
import struct
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

BLOCKS = ["1", "2", "3", "4", "5", "61", "62"]
SHARED_STAGES = {"ssr": 0, "msscr": 0, "mscr2": 1, "mscr4": 3, "mscr6": 5, "mssrfc": 9}


def read_safetensors(path):
    """A minimal safetensors reader (F32 and I64): {name: tensor}, metadata."""
    with open(path, "rb") as f:
        b = f.read()
    n = struct.unpack("<Q", b[:8])[0]
    header = json.loads(b[8:8 + n])
    base = 8 + n
    out = {}
    for k, v in header.items():
        if k == "__metadata__":
            continue
        s, e = v["data_offsets"]
        dt = {"F32": torch.float32, "I64": torch.int64}[v["dtype"]]
        out[k] = torch.frombuffer(bytearray(b[base + s:base + e]), dtype=dt).reshape(v["shape"]).clone()
    return out, header.get("__metadata__", {})


class MultiSource(nn.Module):
    """Stages 0..6 conv blocks, 7 global average pool, 8 fc_feature+BN+ReLU+dropout; the first k shared."""

    def __init__(self, k, sources, in_ch, ch, d, n_out, pair_hidden, p):
        super().__init__()
        self.k, self.p = k, p
        self.shared = nn.Module()
        self.branches = nn.ModuleDict()
        for i in range(k):
            self._add(self.shared, i, in_ch, ch, d)
        for s in sources:
            m = nn.Module()
            for i in range(k, 9):
                self._add(m, i, in_ch, ch, d)
            if s == "self":
                m.fc_pair = nn.Linear(2 * d, pair_hidden)
                m.bn_pair = nn.BatchNorm1d(pair_hidden)
                m.fc_out = nn.Linear(pair_hidden, 2)
            else:
                m.fc_out = nn.Linear(d, n_out)
            self.branches[s] = m

    @staticmethod
    def _add(mod, i, in_ch, ch, d):
        if i < 7:
            b, cin = BLOCKS[i], (in_ch if i == 0 else ch[i - 1])
            conv = (nn.Conv2d(cin, ch[i], 5, stride=(2, 1), padding=2) if i == 0
                    else nn.Conv2d(cin, ch[i], 1) if b == "62" else nn.Conv2d(cin, ch[i], 3, padding=1))
            setattr(mod, "conv" + b, conv)
            setattr(mod, "bn" + b, nn.BatchNorm2d(ch[i]))
        elif i == 8:
            mod.fc_feature = nn.Linear(ch[-1], d)
            mod.bn_feature = nn.BatchNorm1d(d)

    def _stage(self, mod, i, x):
        if i < 7:
            b = BLOCKS[i]
            x = F.relu(getattr(mod, "bn" + b)(getattr(mod, "conv" + b)(x)))
            return F.max_pool2d(x, 2) if i < 5 else x
        if i == 7:
            return x.mean(dim=(2, 3))
        return self.drop(F.relu(mod.bn_feature(mod.fc_feature(x))))

    def drop(self, h):
        """Every dropout of the network goes through here, in call order: feature (x), feature (x2), pair.
        The parity replay (bench/parity/replay_torch.py) overrides it to apply mtdtl's recorded masks."""
        return F.dropout(h, self.p, self.training)

    def feature(self, x, source):
        for i in range(9):
            x = self._stage(self.shared if i < self.k else self.branches[source], i, x)
        return x

    def forward(self, x, source, x2=None):
        m = self.branches[source]
        if source == "self":
            h = torch.cat([self.feature(x, source), self.feature(x2, source)], 1)
            h = self.drop(F.relu(m.bn_pair(m.fc_pair(h))))
            return m.fc_out(h)
        return m.fc_out(self.feature(x, source))


def load(ck):
    with open(ck + "/checkpoint.json") as f:
        side = json.load(f)
    spec = side["spec"]
    net = MultiSource(SHARED_STAGES[side["strategy"]], side["sources"].split(","), spec["in_channels"],
                      spec["conv_channels"], spec["feature_dim"], spec["n_out"], spec["pair_hidden"], spec["dropout"])
    state, _ = read_safetensors(ck + "/model.safetensors")
    net.load_state_dict(state, strict=True)
    return net, side, state


def train(argv):
    net, side, _ = load(argv[2])
    c = side["config"]
    adam = lambda ps: torch.optim.Adam(ps, lr=c["lr"], betas=(c["beta1"], c["beta2"]), eps=c["eps"],
                                       weight_decay=c["weight_decay"])
    shared = adam(list(net.shared.parameters())) if SHARED_STAGES[side["strategy"]] > 0 else None
    per_source = {s: adam(list(m.parameters())) for s, m in net.branches.items()}
    net.train()
    for path in argv[4:]:
        t, meta = read_safetensors(path)
        s = meta["source"]
        net.zero_grad()
        logits = net(t["x"], s, t.get("x2"))
        # PyTorch 0.4's kl_div default: the mean over all B*K elements (decision 8)
        loss = F.kl_div(F.log_softmax(logits, 1), t["z"], reduction="sum") / t["z"].numel()
        loss.backward()
        if shared is not None:
            shared.step()
        per_source[s].step()
        print(f"{path}: source {s} loss {loss.item():.7f}")
    want, _ = read_safetensors(argv[3] + "/model.safetensors")
    got = net.state_dict()
    ok = True
    worst = (0.0, "")
    for k, w in want.items():
        g = got[k]
        if w.dtype == torch.int64:
            bad = not torch.equal(g, w)
            err = 0 if not bad else 1
        else:
            err = (g - w).abs().max().item()
            # With Adam eps 1e-8, zero-up-to-rounding gradients (biases feeding a BN) move by +-lr at
            # random; the Java test uses eps 1e-3 so that they do not (see TorchLoadTest).
            tol = 1e-5 + 1e-4 * w.abs().max().item()
            bad = err > tol
            worst = max(worst, (err, k))
        if bad:
            print(f"MISMATCH {k}: max |torch - mtdtl| = {err:.3g}")
        ok &= not bad
    print("compared %d tensors after %d steps: %s (largest |torch - mtdtl| %.3g in %s)"
          % (len(want), len(argv[4:]), "OK" if ok else "FAILED", worst[0], worst[1]))
    return 0 if ok else 1


def main(argv):
    if argv[1] == "--train":
        return train(argv)
    net, side, state = load(argv[1])
    net.eval()
    ok = True
    for io in argv[2:]:
        t, meta = read_safetensors(io)
        with torch.no_grad():
            y = net(t["x"], meta["source"], t.get("x2"))
        err = (y - t["logits"]).abs().max().item()
        print(f"{io}: source {meta['source']} max |torch - mtdtl| = {err:.3g}")
        ok &= err < 1e-4
    print("loaded strictly: %d tensors" % len(state))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))

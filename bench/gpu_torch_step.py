#!/usr/bin/env python3
"""PyTorch + cuDNN side of bench/gpu_check.sh: the base CNN (same layers as bench/torch_side_by_side.py and
nn's BaseCnn) on the GPU, one training step (forward, KL loss mean over batch x classes, backward, Adam
lr 2.5e-4 with coupled L2 1e-6) and eval-mode inference, timed with CUDA events.

    python3 bench/gpu_torch_step.py [batches=128 (comma-separated)] [iters=10]

Prints "TIME torch_<prec>_<what>_b<batch> <ms> ms" lines, the format of dev.mtdtl.bench.DeviceStepTimer, for
three precisions: fp32 (TF32 off for convolutions and matmuls: the same arithmetic as our kernels), tf32
(cuDNN's default for convolutions; the fast path a PyTorch user gets) and bf16 (autocast to bfloat16 for the
forward, FP32 master weights; no loss scaling needed with bf16's range). cudnn.benchmark is on, so cuDNN picks
its fastest algorithm during the warm-up steps. The step does not read the loss back (PyTorch's best case;
ours reads it every step, as Algorithm 1's NaN check and progress line need).
"""
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F


def net():
    def block(cin, cout, k, stride, pad, pool):
        layers = [nn.Conv2d(cin, cout, k, stride=stride, padding=pad), nn.BatchNorm2d(cout), nn.ReLU(inplace=True)]
        if pool:
            layers.append(nn.MaxPool2d(2))
        return layers

    return nn.Sequential(
        *block(2, 16, 5, (2, 1), 2, True), *block(16, 32, 3, 1, 1, True), *block(32, 64, 3, 1, 1, True),
        *block(64, 64, 3, 1, 1, True), *block(64, 128, 3, 1, 1, True), *block(128, 256, 3, 1, 1, False),
        *block(256, 256, 1, 1, 0, False), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
        nn.Linear(256, 256), nn.BatchNorm1d(256), nn.ReLU(inplace=True), nn.Dropout(0.5), nn.Linear(256, 50))


def timed(fn, warmup, iters):
    for _ in range(warmup):
        fn()
    a, b = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    torch.cuda.synchronize()
    a.record()
    for _ in range(iters):
        fn()
    b.record()
    torch.cuda.synchronize()
    return a.elapsed_time(b) / iters


def main():
    batches = [int(b) for b in (sys.argv[1] if len(sys.argv) > 1 else "128").split(",")]
    iters = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    print(f"TORCH {torch.__version__} cuDNN {torch.backends.cudnn.version()} on {torch.cuda.get_device_name(0)}")
    torch.backends.cudnn.benchmark = True
    for batch in batches:
        one(batch, iters)


def one(batch, iters):
    dev = torch.device("cuda")
    torch.manual_seed(1234)
    x = torch.randn(batch, 2, 216, 128, device=dev)
    z = torch.softmax(torch.randn(batch, 50, device=dev), dim=1)
    for prec in ("fp32", "tf32", "bf16"):
        torch.backends.cudnn.allow_tf32 = prec != "fp32"
        torch.backends.cuda.matmul.allow_tf32 = prec != "fp32"
        cast = torch.autocast("cuda", dtype=torch.bfloat16, enabled=prec == "bf16")
        m = net().to(dev)
        opt = torch.optim.Adam(m.parameters(), lr=2.5e-4, weight_decay=1e-6)

        def step():
            opt.zero_grad(set_to_none=False)
            with cast:
                logits = m(x)
            loss = F.kl_div(F.log_softmax(logits.float(), dim=1), z, reduction="mean")
            loss.backward()
            opt.step()

        m.train()
        train = timed(step, 5, iters)

        def infer():
            with torch.no_grad(), cast:
                torch.softmax(m(x), dim=1)

        m.eval()
        inf = timed(infer, 5, iters)
        print(f"TIME torch_{prec}_train_step_b{batch} {train:10.3f} ms")
        print(f"TIME torch_{prec}_inference_b{batch} {inf:10.3f} ms")


if __name__ == "__main__":
    main()

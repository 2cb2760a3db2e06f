"""Markdown table of a bench/conv_side_by_side.sh log: per layer and direction, the min CPU ms at 1 thread
and the median wall ms at 2 threads, each the best of the rounds, main ("before") against this tree."""
import collections
import re
import sys

if len(sys.argv) != 2:
    sys.exit("usage: conv_table.py LOG (the output of bench/conv_side_by_side.sh)")
runs = collections.defaultdict(list)
side = None
with open(sys.argv[1]) as f:
    for line in f:
        m = re.match(r'### side=(\w+) batch=(\d+) threads=(\d+)', line)
        if m:
            side = m.groups()
            continue
        m = re.match(r'conv layer=(\w+) dir=(\w+) .*min_cpu_ms=([\d.]+) .*median_wall_ms=([\d.]+)', line)
        if m and side:
            layer, direction, cpu, wall = m.groups()
            runs[(side[1], side[2], layer, direction, side[0])].append((float(cpu), float(wall)))
layers = ['conv1', 'conv2', 'conv3', 'conv4', 'conv5', 'conv61', 'conv62']
directions = ['forward', 'backwardData', 'backwardFilter']
for batch in ['32', '128']:
    if not any(k[0] == batch for k in runs):
        continue
    print(f"\n| batch {batch} | direction | 1 thread, min CPU ms: main | this | this/main "
          f"| 2 threads, median wall ms: main | this | this/main |")
    print("|---|---|---|---|---|---|---|---|")
    total = collections.defaultdict(float)
    for layer in layers:
        for d in directions:
            cells = []
            for threads, k in (('1', 0), ('2', 1)):
                old = min(r[k] for r in runs[(batch, threads, layer, d, 'before')])
                new = min(r[k] for r in runs[(batch, threads, layer, d, 'after')])
                cells += [f"{old:.2f}", f"{new:.2f}", f"{new / old:.2f}"]
                if not (layer == 'conv1' and d == 'backwardData'):     # a training step skips it
                    total[(threads, 0)] += old
                    total[(threads, 1)] += new
            print(f"| {layer} | {d} | " + " | ".join(cells) + " |")
    print(f"| **step's conv work** (all but conv1's data gradient) | | {total[('1', 0)]:.1f} | {total[('1', 1)]:.1f} "
          f"| {total[('1', 1)] / total[('1', 0)]:.2f} | {total[('2', 0)]:.1f} | {total[('2', 1)]:.1f} "
          f"| {total[('2', 1)] / total[('2', 0)]:.2f} |")

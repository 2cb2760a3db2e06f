"""A synthetic study with planted effects, in the tidy results format of `mtdtl evaluate`, for checking
`mtdtl study analyze` at the paper's size (docs/analysis.md).

    python3 planted_study.py OUT.csv [--runs 352] [--seed 1]

Paper-like design: 8 SS-R runs x 6 repetitions, 5 multi-source strategies x n = 8 x 5, then RUNS
multi-source runs with n = 2..7 and random sources; 7 tasks (ballroom, fma, gtzan, irmas, lastfm,
emotion r2_arousal / r2_valence), 5 repetitions each. Score on task d, in noise units:
    z = b0[strategy] + SLOPE * n* + u[strategy, d] + (2.0 if bpm in the run and d is ballroom) + N(0, 1)
with b0 = -1.0, -0.4, 0.0, 0.1, 0.2, 0.25 (SS-R .. MSS-CR), SLOPE = 0.16, u ~ N(0, 0.2^2), and the
score is mean_d + 0.05 * z (+ repetition noise 0.01). Standard library only.
"""
import argparse, random

STRATS = ["ssr", "mssrfc", "mscr6", "mscr4", "mscr2", "msscr"]
B0 = [-1.0, -0.4, 0.0, 0.1, 0.2, 0.25]
SOURCES = ["self", "year", "bpm", "taste", "tag", "lyrics", "cdr_tag", "artist"]
TASKS = [("ballroom", "accuracy"), ("fma", "accuracy"), ("gtzan", "accuracy"), ("irmas", "accuracy"),
         ("lastfm", "ndcg500"), ("emotion", "r2_arousal"), ("emotion", "r2_valence")]
SLOPE = 0.16


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out"); ap.add_argument("--runs", type=int, default=352); ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    runs = [("ssr", [s]) for s in SOURCES for _ in range(6)]
    runs += [(st, list(SOURCES)) for st in STRATS[1:] for _ in range(5)]
    for _ in range(a.runs):
        n = rng.randint(2, 7)
        runs.append((rng.choice(STRATS[1:]), rng.sample(SOURCES, n)))
    u = {(s, t): rng.gauss(0, 0.2) for s in STRATS for t in range(len(TASKS))}
    lines = ["run,strategy,sources,dataset,repetition,metric,value"]
    for i, (st, src) in enumerate(runs):
        nstar = 0 if st == "ssr" else len(src) - 2
        for t, (d, m) in enumerate(TASKS):
            z = B0[STRATS.index(st)] + SLOPE * nstar + u[(st, t)] + rng.gauss(0, 1)
            if d == "ballroom" and "bpm" in src:
                z += 2.0
            for rep in range(5):
                v = 0.3 + 0.05 * t + 0.05 * z + rng.gauss(0, 0.01)
                lines.append(f"run{i:03d},{st},{'+'.join(src)},{d},{rep},{m},{v:.6f}")
    for b, base in (("rand", 0.2), ("mfcc", 0.3)):
        for t, (d, m) in enumerate(TASKS):
            for rep in range(5):
                lines.append(f"{b},{b},,{d},{rep},{m},{base + 0.05 * t + rng.gauss(0, 0.01):.6f}")
    open(a.out, "w").write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()

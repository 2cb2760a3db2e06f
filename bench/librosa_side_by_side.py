#!/usr/bin/env python3
"""Time librosa's dB-mel and ours on the same 30 s stereo clip, in the same run.

The clip is synthesised here (seeded numpy: partials, a sweep, noise), written as 16-bit WAV, then
  * librosa computes the paper's dB-mel: melspectrogram(y[c], sr=22050, n_fft=1024, hop_length=256,
    n_mels=128, pad_mode='reflect', power=2) per channel, stacked, power_to_db(ref=1, amin=1e-10,
    top_db=80) over the whole stereo stack (decision 1 of the reference digest);
  * the Java side (dev.mtdtl.bench.MelSideBySide in bench/target/benchmarks.jar) computes the same
    from the same WAV.
Both are timed from decoded float32 audio in memory to the (2, T, 128) result (median of REPS runs
after a warm-up), and the outputs are compared (max |dB| difference).

Usage: python3 bench/librosa_side_by_side.py [REPS] [THREADS] [--before JAR] [--rounds R]
  --before JAR  also time another build's benchmarks.jar (e.g. main's) on the same clip
  --rounds R    repeat librosa / before / after R times, alternating, and report every round (a busy
                machine drifts; alternating keeps the comparison fair)
Skips cleanly (exit 0) when librosa is not importable or the benchmarks jar has not been built
(mvn -pl tensor,dsp,bench -am package -DskipTests).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import wave

HERE = os.path.dirname(os.path.abspath(__file__))
JAR = os.path.join(HERE, "target", "benchmarks.jar")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("reps", nargs="?", type=int, default=20)
    ap.add_argument("threads", nargs="?", default=None)
    ap.add_argument("--before", default=None, help="a second benchmarks.jar to time (before)")
    ap.add_argument("--rounds", type=int, default=1)
    a = ap.parse_args()
    reps, threads = a.reps, a.threads
    try:
        import numpy as np
        import librosa
    except ImportError as e:
        print(f"SKIP: librosa side-by-side needs numpy and librosa ({e})")
        return 0
    if not os.path.isfile(JAR):
        print(f"SKIP: {JAR} not built (mvn -pl tensor,dsp,bench -am package -DskipTests)")
        return 0

    sr, n = 22050, 30 * 22050
    rng = np.random.default_rng(1234)
    t = np.arange(n) / sr
    chans = []
    for c in range(2):
        f0 = 110.0 * (c + 2)
        x = (0.3 * np.sin(2 * np.pi * f0 * t) + 0.1 * np.sin(2 * np.pi * 3.01 * f0 * t)
             + 0.05 * np.sin(2 * np.pi * (200 + 150 * t) * t) + 0.01 * rng.standard_normal(n))
        chans.append(x)
    q = np.clip(np.round(np.stack(chans) * 32768), -32768, 32767).astype("<i2")
    y = (q.astype(np.float32) / 32768).astype(np.float32)   # what the WAV decodes to

    with tempfile.TemporaryDirectory() as tmp:
        wav = os.path.join(tmp, "clip.wav")
        with wave.open(wav, "wb") as w:
            w.setnchannels(2)
            w.setsampwidth(2)
            w.setframerate(sr)
            w.writeframes(q.T.tobytes())

        def librosa_dbmel():
            mel = np.stack([librosa.feature.melspectrogram(y=y[c], sr=sr, n_fft=1024, hop_length=256,
                                                           n_mels=128, pad_mode="reflect", power=2.0)
                            for c in range(2)])
            return librosa.power_to_db(mel, ref=1.0, amin=1e-10, top_db=80.0)

        ref = librosa_dbmel()   # warm-up (filterbank cache, FFT plans)

        def time_librosa():
            times, cpu = [], []
            for _ in range(reps):
                c0, t0 = time.process_time(), time.perf_counter()
                librosa_dbmel()
                times.append((time.perf_counter() - t0) * 1e3)
                cpu.append((time.process_time() - c0) * 1e3)
            times.sort()
            cpu.sort()
            return times[len(times) // 2], cpu[len(cpu) // 2]

        def time_java(jar, tag):
            out = os.path.join(tmp, tag + ".npy")
            cmd = ["java", "--add-modules=jdk.incubator.vector", "-XX:PerMethodTrapLimit=100000", "-cp", jar, "dev.mtdtl.bench.MelSideBySide",
                   wav, str(reps), out] + ([threads] if threads else [])
            res = subprocess.run(cmd, capture_output=True, text=True)
            if res.returncode != 0:
                raise RuntimeError(res.stdout + res.stderr)
            js = json.loads([l for l in res.stdout.splitlines() if l.startswith("{")][-1])
            ours = np.load(out)                      # (2, T, 128)
            js["diff"] = float(np.max(np.abs(ours - ref.transpose(0, 2, 1))))
            return js

        jars = ([("before", a.before)] if a.before else []) + [("after", JAR)]
        print(f"librosa {librosa.__version__}, numpy {np.__version__}; {reps} runs per side per round, "
              f"threads {threads or 'default'}; wall = median ms, cpu = median CPU ms (librosa: process, "
              f"mtdtl: calling thread, all the work at 1 thread)")
        for r in range(a.rounds):
            lib_ms, lib_cpu = time_librosa()
            print(f"round {r + 1}: librosa wall {lib_ms:.1f} cpu {lib_cpu:.1f}")
            for tag, jar in jars:
                try:
                    js = time_java(jar, tag)
                except RuntimeError as e:
                    print(str(e), file=sys.stderr)
                    return 1
                line = (f"round {r + 1}: mtdtl {tag} ({js['threads']} threads) wall {js['median_ms']:.1f} "
                        f"(best {js['best_ms']:.1f}) cpu {js['cpu_ms']:.1f}; librosa/mtdtl wall "
                        f"{lib_ms / js['median_ms']:.1f}x")
                if js["threads"] == 1:
                    line += f", per CPU-second {lib_cpu / js['cpu_ms']:.1f}x"
                print(line + f"; max |dB diff| {js['diff']:.2e}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

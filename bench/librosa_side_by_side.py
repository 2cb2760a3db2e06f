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

Usage: python3 bench/librosa_side_by_side.py [REPS] [THREADS]
Skips cleanly (exit 0) when librosa is not importable or the benchmarks jar has not been built
(mvn -pl tensor,dsp,bench -am package -DskipTests).
"""
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
    reps = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    threads = sys.argv[2] if len(sys.argv) > 2 else None
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
        times, cpu = [], []
        for _ in range(reps):
            c0, t0 = time.process_time(), time.perf_counter()
            librosa_dbmel()
            times.append((time.perf_counter() - t0) * 1e3)
            cpu.append((time.process_time() - c0) * 1e3)
        times.sort()
        cpu.sort()
        lib_ms = times[len(times) // 2]
        lib_cpu = cpu[len(cpu) // 2]

        out = os.path.join(tmp, "java.npy")
        cmd = ["java", "--add-modules=jdk.incubator.vector", "-cp", JAR, "dev.mtdtl.bench.MelSideBySide",
               wav, str(reps), out] + ([threads] if threads else [])
        res = subprocess.run(cmd, capture_output=True, text=True)
        if res.returncode != 0:
            print(res.stdout + res.stderr, file=sys.stderr)
            return 1
        js = json.loads([l for l in res.stdout.splitlines() if l.startswith("{")][-1])
        ours = np.load(out)                      # (2, T, 128)
        diff = float(np.max(np.abs(ours - ref.transpose(0, 2, 1))))

    print(f"librosa {librosa.__version__}: median {lib_ms:.1f} ms wall, {lib_cpu:.1f} ms CPU (process) "
          f"per 30 s stereo dB-mel")
    print(f"mtdtl ({js['threads']} threads): median {js['median_ms']:.1f} ms wall (best {js['best_ms']:.1f}), "
          f"{js['cpu_ms']:.1f} ms CPU of the calling thread")
    print(f"throughput ratio mtdtl/librosa (wall): {lib_ms / js['median_ms']:.1f}x", end="")
    if js["threads"] == 1:
        print(f"; per CPU-second: {lib_cpu / js['cpu_ms']:.1f}x", end="")
    print(f"; max |dB difference| {diff:.2e}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

package dev.mtdtl.bench;

import dev.mtdtl.dsp.Audio;
import dev.mtdtl.dsp.AudioDecoder;
import dev.mtdtl.dsp.MelConfig;
import dev.mtdtl.dsp.MelSpectrogram;
import dev.mtdtl.tensor.Parallel;
import dev.mtdtl.tensor.io.Npy;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The Java half of {@code bench/librosa_side_by_side.py}: decode a 22050 Hz WAV, time the paper's
 * dB-mel (audio in memory to (2, T, 128)) {@code reps} times after a warm-up, print one JSON line
 * with the median and best wall milliseconds and the median CPU milliseconds of the calling thread
 * (all the work when THREADS is 1), and write the result for the script to compare with librosa.
 *
 * <p>Usage: {@code java --add-modules=jdk.incubator.vector -cp bench/target/benchmarks.jar
 * dev.mtdtl.bench.MelSideBySide CLIP.wav REPS OUT.npy [THREADS]}
 */
public final class MelSideBySide {

    private MelSideBySide() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: MelSideBySide CLIP.wav REPS OUT.npy [THREADS]");
            System.exit(2);
        }
        if (args.length > 3) {
            Parallel.setThreads(Integer.parseInt(args[3]));
        }
        Audio a = AudioDecoder.decode(Path.of(args[0])).toStereo();
        int reps = Integer.parseInt(args[1]);
        MelSpectrogram ms = new MelSpectrogram(MelConfig.paper());
        int n = a.frames();
        float[] out = new float[2 * ms.frames(n) * 128];
        long warmEnd = System.nanoTime() + 3_000_000_000L;   // 3 s of warm-up for the JIT
        while (System.nanoTime() < warmEnd) {
            ms.dbMel(out, a.samples(), 2, n);
        }
        double[] ms_ = new double[reps];
        double[] cpu = new double[reps];
        java.lang.management.ThreadMXBean tb = java.lang.management.ManagementFactory.getThreadMXBean();
        for (int r = 0; r < reps; r++) {
            long c0 = tb.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            ms.dbMel(out, a.samples(), 2, n);
            ms_[r] = (System.nanoTime() - t0) / 1e6;
            cpu[r] = (tb.getCurrentThreadCpuTime() - c0) / 1e6;
        }
        Arrays.sort(ms_);
        Arrays.sort(cpu);
        Npy.writeFloat(Path.of(args[2]), out, 2, ms.frames(n), 128);
        // cpu_ms: CPU time of the calling thread, the whole work only when threads = 1; robust to a busy machine.
        System.out.printf("{\"median_ms\": %.3f, \"best_ms\": %.3f, \"cpu_ms\": %.3f, \"threads\": %d, "
                + "\"frames\": %d}%n", ms_[reps / 2], ms_[0], cpu[reps / 2], Parallel.threads(), ms.frames(n));
    }
}

package dev.mtdtl.bench;

import dev.mtdtl.dsp.Audio;
import dev.mtdtl.dsp.AudioDecoder;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * CPU milliseconds per decode of audio files by {@link AudioDecoder} (what {@code prepare}, {@code mel} and
 * {@code embed} call for every track), one thread, by the thread's CPU time, which a neighbour's load inflates
 * less than the wall clock (but does inflate: on this 2-vCPU host the same jar read 87 or 124 ms a 30 s MP3 from
 * one minute to the next, and switched within a run). For before and after figures run the two jars in turn, in
 * separate JVMs, several times each, and compare runs of the same phase.
 *
 * <p>Prints per file {@code decode FILE channels x frames @ rate: median M ms, q1 Q ms (R rounds after W warm-up)}
 * and the audio seconds decoded per CPU second.
 *
 * <p>Usage: {@code java --add-modules=jdk.incubator.vector -XX:PerMethodTrapLimit=100000 -cp
 * bench/target/benchmarks.jar dev.mtdtl.bench.DecodeTimer [--rounds 40] [--warmup 10] FILE...}
 */
public final class DecodeTimer {

    private DecodeTimer() {}

    public static void main(String[] args) throws Exception {
        int rounds = 40;
        int warmup = 10;
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                default -> files.add(Path.of(args[i]));
            }
        }
        if (files.isEmpty() || rounds < 1 || warmup < 0) {
            System.err.println("usage: DecodeTimer [--rounds 40] [--warmup 10] FILE...");
            System.exit(2);
        }
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        for (Path f : files) {
            List<Double> ms = new ArrayList<>();
            Audio a = null;
            for (int r = 0; r < warmup + rounds; r++) {
                long c0 = mx.getCurrentThreadCpuTime();
                a = AudioDecoder.decode(f);
                long c1 = mx.getCurrentThreadCpuTime();
                if (r >= warmup) {
                    ms.add((c1 - c0) / 1e6);
                }
            }
            Collections.sort(ms);
            double median = ms.get(ms.size() / 2);
            System.out.printf("decode %s %d x %d @ %d: median %.1f ms, q1 %.1f ms (%d rounds after %d warm-up); "
                            + "%.0f s of audio per CPU second%n", f, a.channels(), a.frames(), a.sampleRate(), median,
                    ms.get(ms.size() / 4), rounds, warmup, a.frames() / (double) a.sampleRate() / (median / 1e3));
        }
    }
}

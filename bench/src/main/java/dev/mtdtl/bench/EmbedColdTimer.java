package dev.mtdtl.bench;

import dev.mtdtl.embed.Embedder;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * A fresh JVM's first embedding of a file against the same {@link Embedder}'s later ones: what a one-shot
 * {@code java -jar mtdtl-embed.jar --in FILE} pays for the JIT's warm-up. Until C2 has compiled a kernel, its Vector API
 * calls run the JDK's Java fallback, which allocates a vector's array per operation: the heap allocated by all threads
 * during a call (printed) tells a boxed or not-yet-compiled call from a compiled one (a compiled call allocates a few
 * MB: its outputs and scratch). Session 51 measured a 30 s MP3 preview at 3.48 s first, 0.18-0.26 s from the third
 * call on (bench/RESULTS.md, "A one-shot embed is mostly JIT warm-up").
 *
 * <p>Usage: {@code java --add-modules=jdk.incubator.vector -XX:PerMethodTrapLimit=100000 -cp bench/target/benchmarks.jar
 * dev.mtdtl.bench.EmbedColdTimer MODEL.mtdtl FILE [CALLS]} (CALLS default 8). Prints the model's load time, then per
 * call its wall ms and the MB allocated by every thread, then the first call against the median of the last half.
 * Run it in several fresh JVMs: the first call's time depends on what the compiler threads get of the cores.
 */
public final class EmbedColdTimer {

    private EmbedColdTimer() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: EmbedColdTimer MODEL.mtdtl FILE [CALLS]");
            System.exit(2);
        }
        int calls = args.length > 2 ? Integer.parseInt(args[2]) : 8;
        if (calls < 2) {
            throw new IllegalArgumentException("CALLS must be at least 2, got " + calls);
        }
        long t0 = System.nanoTime();
        Embedder e = Embedder.load(Path.of(args[0]));
        System.out.printf(Locale.ROOT, "load %.1f ms%n", (System.nanoTime() - t0) / 1e6);
        Path file = Path.of(args[1]);
        double[] ms = new double[calls];
        for (int c = 0; c < calls; c++) {
            long a0 = allocated();
            long s = System.nanoTime();
            float[] v = e.embed(file);
            ms[c] = (System.nanoTime() - s) / 1e6;
            System.out.printf(Locale.ROOT, "call %d %.1f ms, %.1f MB allocated (%d dims)%n", c + 1, ms[c],
                    (allocated() - a0) / 1e6, v.length);
        }
        double[] late = Arrays.copyOfRange(ms, calls / 2, calls);
        Arrays.sort(late);
        double warm = late[late.length / 2];
        System.out.printf(Locale.ROOT, "first %.1f ms, warm (median of calls %d-%d) %.1f ms: %.1fx%n", ms[0],
                calls / 2 + 1, calls, warm, ms[0] / warm);
    }

    /** Heap bytes allocated so far by every live thread (the caller, the kernel pool, the decoder's). */
    private static long allocated() {
        com.sun.management.ThreadMXBean b = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (long id : b.getAllThreadIds()) {
            long n = b.getThreadAllocatedBytes(id);
            if (n > 0) {
                sum += n;
            }
        }
        return sum;
    }
}

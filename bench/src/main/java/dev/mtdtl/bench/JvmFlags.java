package dev.mtdtl.bench;

/**
 * The JVM options every benchmark fork runs with: the launcher's ({@code ./mtdtl}), so that a benchmark
 * measures the code as a job runs it.
 */
final class JvmFlags {

    /** The Vector API is an incubator module in every JDK from 16 to 25. */
    static final String VECTOR = "--add-modules=jdk.incubator.vector";

    /**
     * C2 stops guarding a type with an uncommon trap once the trap counts it sums over every method it
     * inlines reach PerMethodTrapLimit (100). The JDK's Vector API methods collect a few class-check traps
     * in any JVM (their fallback runs before C2 compiles the callers), a kernel inlines them dozens of times,
     * and past the limit C2 loses the exact vector class, fails the intrinsics and boxes every vector: the
     * GMM's E-step ran 2.5x slower and allocated 1.7 GB an iteration after pLSA and ALS had run in the
     * same JVM (bench/RESULTS.md, "JIT health: the trap limit").
     */
    static final String TRAPS = "-XX:PerMethodTrapLimit=100000";

    private JvmFlags() {}
}

package dev.mtdtl.tensor;

import java.lang.management.ManagementFactory;

/**
 * The one HotSpot option the CPU kernels need besides the Vector API module: {@code -XX:PerMethodTrapLimit}
 * raised from its default of 100. C2 sums the class-check traps of every method it inlines into a compile; the
 * JDK's own Vector API methods collect a few in any JVM during warm-up, and a kernel inlines them dozens of
 * times, so past the limit C2 stops trusting the vector classes and compiles the kernel with every vector boxed
 * (the GMM after pLSA and ALS: 2.5x slower, 1.7 GB allocated an iteration; bench/RESULTS.md, "JIT health: the
 * trap limit"). The launcher, the tests and the benchmarks pass {@link #OPTION}; {@code mtdtl} warns when a
 * JVM started some other way does not.
 */
public final class JitFlags {

    /** The limit the launcher sets. */
    public static final long TRAP_LIMIT = 100_000;
    /** The option as it goes on a java command line. */
    public static final String OPTION = "-XX:PerMethodTrapLimit=" + TRAP_LIMIT;
    /** Below this, a long job is likely to meet the boxed fallback. */
    static final long ENOUGH = 10_000;

    private JitFlags() {}

    /** A one-line warning if this JVM runs with a low trap limit, else null (also when the JVM cannot say). */
    public static String trapLimitWarning() {
        return warning(trapLimit());
    }

    /** The warning for a given limit (negative: unknown), or null. */
    static String warning(long limit) {
        if (limit < 0 || limit >= ENOUGH) {
            return null;
        }
        return "warning: this JVM runs with -XX:PerMethodTrapLimit=" + limit + "; after a few models have run, C2 "
                + "compiles some vector kernels boxed (2-3x slower). Start java with " + OPTION
                + " (./mtdtl does; README, \"JVM flags\").";
    }

    /** This JVM's PerMethodTrapLimit, or -1 where it is not a HotSpot JVM with the management module. */
    static long trapLimit() {
        try {
            com.sun.management.HotSpotDiagnosticMXBean b =
                    ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
            return b == null ? -1 : Long.parseLong(b.getVMOption("PerMethodTrapLimit").getValue());
        } catch (RuntimeException | LinkageError e) {   // no such option, no jdk.management module
            return -1;
        }
    }
}

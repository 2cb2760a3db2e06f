package dev.mtdtl.bench;

import dev.mtdtl.eval.profile.Peaks;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Locale;

/**
 * The machine's float32 FMA peak, for "% of peak" figures, two ways.
 *
 * <p><b>Nominal</b> ({@link #gflops}): cores x GHz x FLOP/cycle, FLOP/cycle per core = 2 (FMA) x lanes per
 * port x FMA ports. Port count, port width and clock are not observable from Java, so they come from system
 * properties {@code mtdtl.peak.ghz} (default 3.0), {@code mtdtl.peak.fmaports} (default 2) and
 * {@code mtdtl.peak.lanesPerPort} (default 8: Zen 4 executes a 512-bit FMA as two 256-bit halves).
 *
 * <p><b>Measured</b> ({@link #measuredPerCore}): one thread runs 12 independent chains of FMAs at the Vector
 * API's preferred width (12 chains cover a 4-cycle latency on 2 pipes with margin) and divides the FLOPs by
 * its own CPU time, not the wall time, so the figure holds on a shared, overloaded machine (a descheduled
 * thread accrues no CPU time). Run {@code Peak} itself to print both, and the 256-bit rate beside the
 * 512-bit one: equal GFLOP/s mean the core splits 512-bit FMAs into two halves (Zen 4), twice means
 * full-width 512-bit pipes (Zen 5, many Intel server cores). On the development box of 2026-12-04
 * ({@code cpu family 26}, Zen 5) the nominal default said 96 GFLOP/s per core and the probe measured about
 * 220: percentages against the nominal figure there were twice too flattering.
 */
public final class Peak {

    private static final VectorSpecies<Float> PREF = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Float> HALF = FloatVector.SPECIES_256;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static volatile float sink;

    private Peak() {}

    /** Nominal peak GFLOP/s for {@code threads} cores (see the class comment for the properties). */
    public static double gflops(int threads) {
        double ghz = Double.parseDouble(System.getProperty("mtdtl.peak.ghz", "3.0"));
        int ports = Integer.parseInt(System.getProperty("mtdtl.peak.fmaports", "2"));
        int lanes = PREF.length();
        int lanesPerPort = Integer.parseInt(System.getProperty("mtdtl.peak.lanesPerPort",
                String.valueOf(Math.min(lanes, 8))));
        return threads * ghz * 2.0 * lanesPerPort * ports;
    }

    /** Measured FMA GFLOP per CPU-second of one core at the preferred width (best of 8 runs of ~0.1 s). */
    public static double measuredPerCore() {
        return measure(false);
    }

    /** The same with 256-bit vectors. */
    public static double measured256PerCore() {
        return measure(true);
    }

    /**
     * The probe, retried when its best is below a fifth of the nominal figure: that is the Vector API's boxed
     * fallback (the probe still running as C1 code because C2 had not compiled it yet on a loaded machine:
     * seen once at 9 GFLOP/s, which made a step "932% of peak"). Still implausible after 4 tries: NaN and a
     * warning on stderr, so no percentage is printed against it.
     */
    private static double measure(boolean half) {
        double floor = 0.2 * gflops(1) * (half ? 0.5 : 1.0);
        for (int attempt = 1; attempt <= 4; attempt++) {
            double best = probe(half);
            if (best >= floor) {
                return best;
            }
            System.err.printf(java.util.Locale.ROOT, "Peak: probe measured %.1f GFLOP/s per CPU-second, below %.1f"
                    + " (a fifth of the nominal peak): not compiled yet? try %d of 4%n", best, floor, attempt);
        }
        System.err.println("Peak: no plausible measurement; percentages of the measured peak are omitted (NaN)");
        return Double.NaN;
    }

    private static double probe(boolean half) {
        for (int w = 0; w < 3000; w++) {        // let C2 compile the probe as a normal (not OSR) method
            sink += half ? chains256(500) : chainsPreferred(500);
        }
        int iters = 100_000;
        int lanes = half ? HALF.length() : PREF.length();
        double best = 0;
        for (int r = 0; r < 8; r++) {
            long c0 = THREADS.getCurrentThreadCpuTime();
            for (int k = 0; k < 20; k++) {
                sink += half ? chains256(iters) : chainsPreferred(iters);
            }
            long c = THREADS.getCurrentThreadCpuTime() - c0;
            best = Math.max(best, 20.0 * iters * Peaks.FMA_CHAINS * 2 * lanes / c);
        }
        return best;
    }

    /*
     * The preferred-width probe is the profiler's (Peaks.fmaChains); the 256-bit one is its copy at SPECIES_256,
     * written out because a species passed as an argument is not a constant to C2 and would box the vectors. Both
     * run 12 chains through the FMA's addend (c = a * b + c), the kernels' form: with the chain through a
     * multiplicand (c = c * a + b) the 8-lane probe read 95 against 113 GFLOP/s a core under -XX:UseAVX=2 (the same
     * at 512 bits; bench/RESULTS.md, session 37). c grows by 1e-4 a step: no overflow, no denormals.
     */
    private static float chainsPreferred(int iters) {
        return Peaks.fmaChains(iters, 0);
    }

    private static float chains256(int iters) {
        FloatVector a = FloatVector.broadcast(HALF, Peaks.probeA());   // not constants: see Peaks.fmaChains
        FloatVector b = FloatVector.broadcast(HALF, Peaks.probeB());
        FloatVector c0 = a, c1 = a.add(1f), c2 = a.add(2f), c3 = a.add(3f), c4 = a.add(4f), c5 = a.add(5f);
        FloatVector c6 = a.add(6f), c7 = a.add(7f), c8 = a.add(8f), c9 = a.add(9f), c10 = a.add(10f), c11 = a.add(11f);
        for (int i = 0; i < iters; i++) {
            c0 = a.fma(b, c0);
            c1 = a.fma(b, c1);
            c2 = a.fma(b, c2);
            c3 = a.fma(b, c3);
            c4 = a.fma(b, c4);
            c5 = a.fma(b, c5);
            c6 = a.fma(b, c6);
            c7 = a.fma(b, c7);
            c8 = a.fma(b, c8);
            c9 = a.fma(b, c9);
            c10 = a.fma(b, c10);
            c11 = a.fma(b, c11);
        }
        return c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).add(c10).add(c11)
                .reduceLanes(VectorOperators.ADD);
    }

    /** Prints the nominal peak and the measured per-core rates (preferred width and 256-bit). */
    public static void main(String[] args) {
        double pref = measuredPerCore();
        double h = measured256PerCore();
        System.out.printf(Locale.ROOT, "peak nominal_per_core=%.1f measured_per_core=%.1f measured_256bit_per_core=%.1f"
                + " preferred_lanes=%d (GFLOP per CPU-second)%n", gflops(1), pref, h, PREF.length());
    }
}

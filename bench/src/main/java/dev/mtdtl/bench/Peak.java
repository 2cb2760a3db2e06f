package dev.mtdtl.bench;

import jdk.incubator.vector.FloatVector;

/**
 * The machine's nominal float32 peak, for "% of peak" figures: cores x GHz x FLOP/cycle.
 *
 * <p>FLOP/cycle per core = 2 (FMA) x lanes x FMA ports. The port count and clock are not observable
 * from Java, so they come from system properties {@code mtdtl.peak.ghz} (default 3.0) and
 * {@code mtdtl.peak.fmaports} (default 2, as on Zen 4 and recent Intel cores); the lane count is the
 * Vector API's preferred float species on this JVM.
 */
public final class Peak {

    private Peak() {}

    /** Nominal peak GFLOP/s for {@code threads} cores. */
    public static double gflops(int threads) {
        double ghz = Double.parseDouble(System.getProperty("mtdtl.peak.ghz", "3.0"));
        int ports = Integer.parseInt(System.getProperty("mtdtl.peak.fmaports", "2"));
        int lanes = FloatVector.SPECIES_PREFERRED.length();
        // AVX-512 on Zen 4 is double-pumped: 2 x 256-bit FMA per cycle = 32 FLOP/cycle, i.e. at most 8
        // float lanes per port. That is the default; on cores with two full 512-bit FMA units (many Intel
        // server parts) pass -Dmtdtl.peak.lanesPerPort=16.
        int lanesPerPort = Integer.parseInt(System.getProperty("mtdtl.peak.lanesPerPort",
                String.valueOf(Math.min(lanes, 8))));
        return threads * ghz * 2.0 * lanesPerPort * ports;
    }
}

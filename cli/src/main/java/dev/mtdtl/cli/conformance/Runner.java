package dev.mtdtl.cli.conformance;

import dev.mtdtl.tensor.Shape;
import dev.mtdtl.tensor.io.Npy;

import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * Runs every case of a fixture directory through the family that implements it and compares each
 * output with its reference under the manifest's compare mode and tolerance.
 *
 * <p>One line per case: status, name, the worst output (largest error relative to its threshold), its
 * error and the threshold; SKIP with the reason when no family implements the case. The last line is
 * exactly {@code N passed, M failed, K skipped}.
 *
 * <p>With {@code bits}, each case line also ends in {@code bits XXXXXXXX}: a CRC-32 of every computed output's
 * values, outputs in the manifest's order, each value's IEEE 754 double bits (a float32 result widens exactly). Two
 * runs that print the same CRC for a case computed the same bits (up to a CRC collision); the fixtures' tolerances
 * cannot tell that. What it is for: the engine's bits depend on the vector lane count by design (README, "Machines
 * without AVX-512"), and should depend on nothing else: not the thread count, the JDK, or the CPU architecture at
 * the same lane count (docs/portability.md).
 */
public final class Runner {

    /** Totals of a run. */
    public record Summary(int passed, int failed, int skipped) {}

    private final List<Family> families;
    private final PrintStream out;
    private final boolean verbose;
    private final boolean bits;

    public Runner(List<Family> families, PrintStream out, boolean verbose) {
        this(families, out, verbose, false);
    }

    /** A runner that also prints each case's {@link #bitsOf} CRC where bits is true. */
    public Runner(List<Family> families, PrintStream out, boolean verbose, boolean bits) {
        this.families = families;
        this.out = out;
        this.verbose = verbose;
        this.bits = bits;
    }

    public Summary run(Path dir) throws java.io.IOException {
        List<Manifest.Case> cases = Manifest.load(dir);
        int passed = 0;
        int failed = 0;
        int skipped = 0;
        for (Manifest.Case c : cases) {
            Family f = families.stream().filter(x -> x.accepts(c)).findFirst().orElse(null);
            if (f == null) {
                out.printf("SKIP  %-28s family not implemented yet%n", c.name());
                skipped++;
                continue;
            }
            if (check(c, f)) {
                passed++;
            } else {
                failed++;
            }
        }
        out.println(passed + " passed, " + failed + " failed" + (skipped > 0 ? ", " + skipped + " skipped" : ""));
        return new Summary(passed, failed, skipped);
    }

    private boolean check(Manifest.Case c, Family f) {
        Map<String, double[]> got;
        try {
            got = f.compute(c);
        } catch (Family.Unsupported e) {
            out.printf("FAIL  %-28s unsupported: %s%n", c.name(), e.getMessage());
            return false;
        } catch (Exception | Error e) {
            out.printf("FAIL  %-28s %s: %s%n", c.name(), e.getClass().getSimpleName(), e.getMessage());
            return false;
        }
        boolean ok = true;
        String worstName = "-";
        double worstErr = 0;
        double worstThr = 0;
        String worstMode = "";
        double worstRatio = -1;
        StringBuilder detail = new StringBuilder();
        for (Manifest.Output o : c.outputs()) {
            Check r = compare(c, o, got.get(o.name()));
            ok &= r.pass;
            double ratio = r.pass ? (r.threshold == 0 ? 0 : r.err / r.threshold) : Double.POSITIVE_INFINITY;
            if (ratio > worstRatio) {
                worstRatio = ratio;
                worstName = o.name();
                worstErr = r.err;
                worstThr = r.threshold;
                worstMode = r.note != null ? r.note : o.compare();
            }
            if (verbose || !r.pass) {
                detail.append(String.format(Locale.ROOT, "        %-4s %-36s %-8s %-10s thr %s%n", r.pass ? "ok" : "BAD",
                        o.name(), o.compare(), r.note != null ? r.note : fmt(r.err), fmt(r.threshold)));
            }
        }
        String crc = bits ? String.format(Locale.ROOT, "  bits %08x", bitsOf(c, got)) : "";
        if (c.outputs().isEmpty()) {
            out.printf("%s  %-28s no outputs to compare; inputs consumed by %s%s%n", "PASS", c.name(), f.name(), crc);
        } else {
            out.printf(Locale.ROOT, "%s  %-28s worst %-32s %-8s %-10s tol %s%s%n", ok ? "PASS" : "FAIL", c.name(),
                    worstName, worstMode, fmt(worstErr), fmt(worstThr), crc);
        }
        out.print(detail);
        return ok;
    }

    /**
     * CRC-32 of the case's computed outputs in manifest order: per output its name's UTF-8 bytes, its length, then
     * each value's {@link Double#doubleToRawLongBits} (little-endian); an output not computed adds its name only.
     */
    static long bitsOf(Manifest.Case c, Map<String, double[]> got) {
        CRC32 crc = new CRC32();
        ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        for (Manifest.Output o : c.outputs()) {
            crc.update(o.name().getBytes(StandardCharsets.UTF_8));
            double[] v = got.get(o.name());
            if (v == null) {
                continue;
            }
            crc.update(b.clear().putLong(v.length).array());
            for (double x : v) {
                crc.update(b.clear().putLong(Double.doubleToRawLongBits(x)).array());
            }
        }
        return crc.getValue();
    }

    private record Check(boolean pass, double err, double threshold, String note) {}

    private Check compare(Manifest.Case c, Manifest.Output o, double[] v) {
        if (v == null) {
            return new Check(false, Double.NaN, 0, "not computed");
        }
        if (o.shape() != null && Shape.numelLong(o.shape()) != v.length) {
            return new Check(false, Double.NaN, 0, "size " + v.length + " != " + Shape.str(o.shape()));
        }
        for (double x : v) {
            if (!Double.isFinite(x)) {
                return new Check(false, Double.NaN, 0, "non-finite");
            }
        }
        try {
            switch (o.compare()) {
                case "abs_max": {
                    double m = 0;
                    for (double x : v) {
                        m = Math.max(m, Math.abs(x));
                    }
                    return new Check(m <= o.atol(), m, o.atol(), null);
                }
                case "exact": {
                    String file = o.fileF32() != null ? o.fileF32() : o.file() != null ? o.file() : o.fileF64();
                    double[] ref = read(c, file, v.length);
                    double m = 0;
                    for (int i = 0; i < v.length; i++) {
                        // bit-exact in float32: compare the float32 values
                        double d = (float) v[i] - (float) ref[i];
                        m = Math.max(m, Math.abs(d));
                    }
                    return new Check(m == 0, m, 0, null);
                }
                case "rel_l2": {
                    String file = o.fileF64() != null ? o.fileF64() : o.fileF32() != null ? o.fileF32() : o.file();
                    double[] ref = read(c, file, v.length);
                    double e = relL2(v, ref, null);
                    if (e <= o.tol() || Double.isNaN(o.tolIndependent())) {
                        return new Check(e <= o.tol(), e, o.tol(), null);
                    }
                    // The manifest allows an independent algorithm a looser tolerance on a region.
                    boolean[] keep = Region.mask(o.independentRegion(), o.shape() != null ? o.shape() : new int[]{v.length});
                    double ei = relL2(v, ref, keep);
                    return new Check(ei <= o.tolIndependent(), ei, o.tolIndependent(), null);
                }
                default:
                    return new Check(false, Double.NaN, 0, "unknown compare mode " + o.compare());
            }
        } catch (java.io.IOException e) {
            return new Check(false, Double.NaN, 0, e.getMessage());
        }
    }

    /** ||v - ref|| / ||ref|| over the elements where keep is true (all when keep is null). */
    private static double relL2(double[] v, double[] ref, boolean[] keep) {
        double num = 0;
        double den = 0;
        for (int i = 0; i < v.length; i++) {
            if (keep == null || keep[i]) {
                double d = v[i] - ref[i];
                num += d * d;
                den += ref[i] * ref[i];
            }
        }
        return den == 0 ? Math.sqrt(num) : Math.sqrt(num / den);
    }

    private static double[] read(Manifest.Case c, String file, int n) throws java.io.IOException {
        if (file == null) {
            throw new java.io.IOException("no reference file");
        }
        Npy.Array a = Npy.read(c.dir().resolve(file));
        if (a.numel() != n) {
            throw new java.io.IOException(file + " has " + a.numel() + " values, computed " + n);
        }
        return a.values();
    }

    private static String fmt(double x) {
        return Double.isNaN(x) ? "-" : String.format(Locale.ROOT, "%.2e", x);
    }
}

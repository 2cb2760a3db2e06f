package dev.mtdtl.eval.profile;

import dev.mtdtl.tensor.LoopStats;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The result of {@link Profiler#run}: per phase (training step, inference), every op call with its median
 * time, FLOPs and bytes, and the derived rates and shares of the measured {@link Peaks}. Writes the console
 * table and {@code profile.json}; {@link Roofline} and {@link ChromeTrace} write the HTML page and the trace.
 */
public record Profile(String device, int threads, Profiler.Config config, Peaks peaks, List<Phase> phases) {

    /**
     * One op call of a phase; {@code nanos}: median over the repeats; {@code allocBytes}: median heap bytes the
     * compute threads (the issuing thread and the CPU pool's workers) allocated in it (-1: unknown). A compiled vector kernel allocates only its scratch; one that
     * C2 compiled without inlining its Vector API calls boxes every vector and allocates megabytes.
     * {@code loops}: the CPU pool's parallel loops in the call (first repeat); {@code waitNanos}: MEAN time over the
     * repeats the calling thread waited at their ends for the other threads' last chunks ({@link LoopStats}): what
     * the op loses to imbalance and late workers on more than one thread. A mean, not a median, because these waits
     * are sporadic (a thread the host deschedules for a while): on the 2-vCPU machine a step's medians summed to
     * 0.4 ms of its 5.6 ms mean wait; the means add up to the phase's.
     */
    public record Row(int index, String op, String detail, long nanos, double flops, double bytes, long allocBytes,
                      long loops, long waitNanos) {

        public double gflops() {
            return flops / Math.max(1, nanos);
        }

        public double gbPerS() {
            return bytes / Math.max(1, nanos);
        }

        /** FLOP per byte (the roofline's x); 0 for a pure copy. */
        public double intensity() {
            return bytes == 0 ? 0 : flops / bytes;
        }

        /** Family: the op name up to the first dot ("conv.bwd_data" -> "conv"). */
        public String family() {
            int d = op.indexOf('.');
            return d < 0 ? op : op.substring(0, d);
        }
    }

    /**
     * A phase: its rows, the median wall time of the whole phase, the calls of its last repeat (with start
     * times and threads, for the trace), and the CPU pool's parallel loops per repeat ({@link LoopStats}, means
     * over the repeats; null where not counted) with the mean wall time they are part of.
     */
    public record Phase(String name, List<Row> rows, long wallNanos, List<ProfilingDevice.OpCall> lastRun,
                        LoopStats.Snapshot loops, double meanWallMs) {

        static Phase of(String name, List<List<ProfilingDevice.OpCall>> runs, long[] wall) {
            return of(name, runs, wall, null);
        }

        /** As {@link #of(String, List, long[])}, with the loop counts of all the repeats together. */
        static Phase of(String name, List<List<ProfilingDevice.OpCall>> runs, long[] wall, LoopStats.Snapshot all) {
            List<ProfilingDevice.OpCall> first = runs.get(0);
            for (List<ProfilingDevice.OpCall> r : runs) {
                if (r.size() != first.size()) {
                    throw new IllegalStateException(name + ": the op sequence changed between repeats (" + first.size()
                            + " vs " + r.size() + " calls)");
                }
            }
            List<Row> rows = new ArrayList<>();
            long[] t = new long[runs.size()];
            long[] al = new long[runs.size()];
            long[] wt = new long[runs.size()];
            for (int k = 0; k < first.size(); k++) {
                for (int r = 0; r < runs.size(); r++) {
                    t[r] = runs.get(r).get(k).nanos();
                    al[r] = runs.get(r).get(k).allocBytes();
                    wt[r] = runs.get(r).get(k).waitNanos();
                }
                ProfilingDevice.OpCall c = first.get(k);
                rows.add(new Row(k, c.op(), c.detail(), median(t), c.flops(), c.bytes(), median(al), c.loops(),
                        Arrays.stream(wt).sum() / wt.length));
            }
            int n = wall.length;
            LoopStats.Snapshot perRun = all == null ? null : new LoopStats.Snapshot(all.loops() / n, all.loopMs() / n,
                    all.callerWaitMs() / n, all.workerStarts() / n, all.workerStartUs(), all.workerStartMedianUs(),
                    all.lateStartMs() / n);
            return new Phase(name, rows, median(wall.clone()), runs.get(runs.size() - 1), perRun,
                    Arrays.stream(wall).sum() / 1e6 / n);
        }

        /** Sum of the ops' median times (the rest of the wall time is host work between ops). */
        public long opNanos() {
            long s = 0;
            for (Row r : rows) {
                s += r.nanos;
            }
            return s;
        }

        /** Rows summed per op name, in first-seen order. */
        public List<Row> byOp() {
            Map<String, double[]> m = new LinkedHashMap<>();
            for (Row r : rows) {
                double[] a = m.computeIfAbsent(r.op, k -> new double[7]);
                a[0] += r.nanos;
                a[1] += r.flops;
                a[2] += r.bytes;
                a[3]++;
                a[4] = a[4] < 0 || r.allocBytes < 0 ? -1 : a[4] + r.allocBytes;
                a[5] += r.loops;
                a[6] += r.waitNanos;
            }
            List<Row> out = new ArrayList<>();
            for (Map.Entry<String, double[]> e : m.entrySet()) {
                double[] a = e.getValue();
                out.add(new Row(out.size(), e.getKey(), (int) a[3] + " calls", (long) a[0], a[1], a[2], (long) a[4],
                        (long) a[5], (long) a[6]));
            }
            return out;
        }
    }

    static long median(long[] t) {
        long[] s = t.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    /** Share of the compute roof (0..1+) for a row. */
    public double computeShare(Row r) {
        return r.gflops() / peaks.gflops();
    }

    /** Share of the bandwidth roof. */
    public double bandwidthShare(Row r) {
        return r.gbPerS() / peaks.gbPerS();
    }

    private String header() {
        return String.format(Locale.ROOT, "device %s, %d threads, %s on %s, batch %d, median of %d, Java %s%n"
                        + "roofs: %.1f GFLOP/s (%s); %.1f GB/s (%s)%n", device, threads, config.strategy().id(),
                String.join("+", config.sources().stream().map(dev.mtdtl.nn.Source::id).toList()), config.batch(),
                config.repeats(), jvm(), peaks.gflops(), peaks.compute(), peaks.gbPerS(), peaks.bandwidth());
    }

    /**
     * The JVM that measured (the profile is rendered where it ran): its C2 matters to the Vector API kernels, JDK 25's
     * running the base CNN's step 4-5 % faster than 17's (bench/RESULTS.md, "Step speed, session 34").
     */
    static String jvm() {
        return Runtime.version() + " (" + System.getProperty("java.vm.name", "?") + ")";
    }

    /** The console table: every op call of each phase, then the per-op sums. */
    public String table() {
        StringBuilder sb = new StringBuilder(header());
        for (Phase p : phases) {
            sb.append(String.format(Locale.ROOT, "%n== %s: %.2f ms wall, %.2f ms in ops%n", p.name(), p.wallNanos() / 1e6,
                    p.opNanos() / 1e6));
            LoopStats.Snapshot l = p.loops();
            if (l != null && l.loops() > 0) {
                sb.append(String.format(Locale.ROOT, "   parallel loops (means per run): %d, %.2f ms inside them (the"
                        + " caller waiting %.2f ms at their ends for the other threads), %.2f ms of %.2f outside them"
                        + " (one thread working, the profiler's own per-op work included); workers start %.1f us after"
                        + " a loop opens (mean; median <= %.0f us; starts of %d us or more: %.2f ms)%n", l.loops(),
                        l.loopMs(), l.callerWaitMs(), p.meanWallMs() - l.loopMs(), p.meanWallMs(), l.workerStartUs(),
                        l.workerStartMedianUs(), LoopStats.LATE_US, l.lateStartMs()));
            }
            appendRows(sb, p.rows(), true);
            sb.append(String.format(Locale.ROOT, "-- %s by op%n", p.name()));
            appendRows(sb, p.byOp(), false);
        }
        sb.append(String.format(Locale.ROOT, "alloc KB: heap allocated by the compute threads in the op (the issuing"
                + " thread and the kernel pool's workers); megabytes in a CPU op whose kernel needs no scratch mean C2"
                + " boxed its vectors%n"));
        sb.append(String.format(Locale.ROOT, "loops, wait ms: the CPU pool's parallel loops in the op and the time the"
                + " issuing thread waited at their ends for the other threads' last chunks (imbalance, a late or"
                + " descheduled worker; mean over the repeats)%n"));
        return sb.toString();
    }

    private void appendRows(StringBuilder sb, List<Row> rows, boolean withIndex) {
        sb.append(String.format(Locale.ROOT, "%4s %-16s %-38s %9s %9s %9s %8s %7s %6s %6s %9s %5s %7s%n",
                withIndex ? "#" : "", "op", "shapes", "ms", "MFLOP", "MB", "GFLOP/s", "GB/s", "%flop", "%bw",
                "alloc KB", "loops", "wait ms"));
        for (Row r : rows) {
            String d = r.detail().length() > 38 ? r.detail().substring(0, 37) + "~" : r.detail();
            sb.append(String.format(Locale.ROOT, "%4s %-16s %-38s %9.3f %9.1f %9.2f %8.1f %7.1f %6.1f %6.1f %9s %5d %7.3f%n",
                    withIndex ? String.valueOf(r.index()) : "", r.op(), d, r.nanos() / 1e6, r.flops() / 1e6,
                    r.bytes() / 1e6, r.gflops(), r.gbPerS(), 100 * computeShare(r), 100 * bandwidthShare(r),
                    r.allocBytes() < 0 ? "-" : String.format(Locale.ROOT, "%.1f", r.allocBytes() / 1024.0), r.loops(),
                    r.waitNanos() / 1e6));
        }
    }

    /** profile.json: the configuration, the roofs and every row of every phase. */
    public String json() {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("device", device);
        root.put("threads", threads);
        root.put("java", jvm());
        root.put("strategy", config.strategy().id());
        root.put("sources", config.sources().stream().map(dev.mtdtl.nn.Source::id).toList());
        root.put("batch", config.batch());
        root.put("repeats", config.repeats());
        Map<String, Object> pk = new LinkedHashMap<>();
        pk.put("gflops", peaks.gflops());
        pk.put("gb_per_s", peaks.gbPerS());
        pk.put("compute_probe", peaks.compute());
        pk.put("bandwidth_probe", peaks.bandwidth());
        root.put("peaks", pk);
        List<Object> ph = new ArrayList<>();
        for (Phase p : phases) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", p.name());
            m.put("wall_ms", p.wallNanos() / 1e6);
            m.put("ops_ms", p.opNanos() / 1e6);
            if (p.loops() != null) {
                Map<String, Object> lm = new LinkedHashMap<>();
                lm.put("loops_per_run", p.loops().loops());
                lm.put("mean_wall_ms", p.meanWallMs());
                lm.put("in_loops_ms", p.loops().loopMs());
                lm.put("caller_wait_ms", p.loops().callerWaitMs());
                lm.put("outside_loops_ms", p.meanWallMs() - p.loops().loopMs());
                lm.put("worker_start_us", p.loops().workerStartUs());
                lm.put("worker_start_median_le_us", p.loops().workerStartMedianUs());
                lm.put("late_start_ms", p.loops().lateStartMs());
                m.put("parallel_loops", lm);
            }
            List<Object> rows = new ArrayList<>();
            for (Row r : p.rows()) {
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("index", r.index());
                o.put("op", r.op());
                o.put("shapes", r.detail());
                o.put("ms", r.nanos() / 1e6);
                o.put("flops", r.flops());
                o.put("bytes", r.bytes());
                o.put("gflops", r.gflops());
                o.put("gb_per_s", r.gbPerS());
                o.put("flop_share", computeShare(r));
                o.put("bandwidth_share", bandwidthShare(r));
                o.put("alloc_bytes", r.allocBytes());
                o.put("loops", r.loops());
                o.put("caller_wait_ms", r.waitNanos() / 1e6);
                rows.add(o);
            }
            m.put("ops", rows);
            ph.add(m);
        }
        root.put("phases", ph);
        return dev.mtdtl.tensor.io.Json.write(root, 2) + "\n";
    }
}

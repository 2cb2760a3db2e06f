package dev.mtdtl.eval.profile;

import dev.mtdtl.nn.Source;
import dev.mtdtl.nn.Strategy;
import dev.mtdtl.tensor.io.Json;
import dev.mtdtl.tensor.test.EmulatedDevice;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProfilerTest {

    /** Forward convolution FLOPs of one 2 x 216 x 128 sample through the base CNN (bench TrainStep's sum). */
    static final double CONV_FLOPS_PER_SAMPLE = 2.0 * (16 * 108 * 128 * (2 * 25) + 32 * 54 * 64 * (16 * 9)
            + 64 * 27 * 32 * (32 * 9) + 64 * 13 * 16 * (64 * 9) + 128 * 6 * 8 * (64 * 9) + 256 * 3 * 4 * (128 * 9)
            + 256 * 3 * 4 * 256);

    private static final Profiler.Config CFG = new Profiler.Config(Strategy.of("ssr"), List.of(Source.of("tag")), 2, 0, 2, 7);

    private static long count(Profile.Phase p, String op) {
        return p.rows().stream().filter(r -> r.op().equals(op)).count();
    }

    private static double flops(Profile.Phase p, String op) {
        return p.rows().stream().filter(r -> r.op().equals(op)).mapToDouble(Profile.Row::flops).sum();
    }

    /** On the CPU blocks 1..5 run batch norm + ReLU + pool as one op (issue 15), and the profile shows it. */
    @Test
    void profilesTheFusedBlockOpOnTheCpu() {
        Peaks peaks = Peaks.device(dev.mtdtl.tensor.Device.cpu(), 64, 1 << 16);
        Profile p = Profiler.run(dev.mtdtl.tensor.Device.cpu(), CFG, peaks);
        Profile.Phase train = p.phases().get(0), infer = p.phases().get(1);
        // five of the seven blocks (61 and 62 have no pool) per forward
        assertTrue(count(train, "conv.fwd") > 0);
        assertEquals(5 * count(train, "conv.fwd"), 7 * count(train, "bnpool.fwd_train"), p.table());
        assertEquals(5 * count(train, "conv.fwd"), 7 * count(train, "bnpool.bwd_train"), p.table());
        // inference: a pooled block whose conv takes the direct path (conv1-conv4; conv5 too at 8 lanes) runs as one
        // op with it (the conv output never stored), the rest apart: still 7 convs and 5 pooled blocks per run
        long fused = count(infer, "convpool.fwd_eval");
        assertEquals(5 * (count(infer, "conv.fwd") + fused), 7 * (count(infer, "bnpool.fwd_eval") + fused), p.table());
        assertTrue(fused > 0, p.table());
        assertEquals(0, count(train, "pool.fwd"));
        assertTrue(count(train, "bn.fwd_train") > 0, "blocks 61, 62 and bn_feature stay apart:\n" + p.table());
        // the pool's loops are counted per run: on 2+ threads the convolutions alone are dozens of them, and the
        // time inside them is part of the run's wall time
        assertTrue(train.loops() != null, "loops counted");
        if (dev.mtdtl.tensor.Parallel.threads() > 1) {
            assertTrue(train.loops().loops() >= 20, p.table());
            assertTrue(train.loops().loopMs() > 0 && train.loops().loopMs() <= train.meanWallMs(), p.table());
            assertTrue(p.table().contains("parallel loops (means per run)"), p.table());
            assertTrue(p.json().contains("\"parallel_loops\""), p.json());
            // and per op: every loop of a run falls inside some op, the convolutions' among them, with their waits
            long inOps = train.rows().stream().mapToLong(Profile.Row::loops).sum();
            assertTrue(inOps >= 20 && inOps <= train.loops().loops(), inOps + " loops in ops\n" + p.table());
            assertTrue(train.rows().stream().filter(r -> r.op().equals("conv.fwd")).allMatch(r -> r.loops() > 0
                    && r.waitNanos() >= 0 && r.waitNanos() <= r.nanos()), p.table());
            assertEquals(inOps, train.byOp().stream().mapToLong(Profile.Row::loops).sum(), "per-op sums");
            assertTrue(p.table().contains("wait ms") && p.json().contains("\"caller_wait_ms\""), p.json());
        }
    }

    /** The front end as a third phase: its four stages, their cost model, and the outputs that list phases. */
    @Test
    void profilesTheAudioFrontEnd() {
        Profiler.Config cfg = new Profiler.Config(Strategy.of("ssr"), List.of(Source.of("tag")), 2, 0, 2, 7, true);
        Profile p = Profiler.run(dev.mtdtl.tensor.Device.cpu(), cfg, Peaks.device(dev.mtdtl.tensor.Device.cpu(), 64,
                1 << 16));
        assertEquals(3, p.phases().size(), p.table());
        Profile.Phase fe = p.phases().get(2);
        assertEquals(List.of("wav.decode", "resample", "dbmel", "standardize"),
                fe.rows().stream().map(Profile.Row::op).toList(), p.table());
        assertEquals(0, flops(fe, "wav.decode"));
        // 30 s at 22.05 kHz: 2,584 frames a channel; the FFTs alone are 2 x 2,584 x 2.5 x 1024 x 10 FLOPs
        assertTrue(flops(fe, "dbmel") > 2 * 2584 * 25600.0 && flops(fe, "dbmel") < 2 * 2584 * 40000.0, p.table());
        assertTrue(flops(fe, "resample") > 0 && flops(fe, "standardize") == 4.0 * 2584 * 128, p.table());
        assertTrue(fe.rows().stream().allMatch(r -> r.nanos() > 0 && r.bytes() > 0), p.table());
        assertTrue(p.table().contains("front_end"), p.table());
        assertEquals(3, ((List<?>) Json.parseObject(p.json(), "profile.json").get("phases")).size());
        Map<String, Object> tr = Json.parseObject(ChromeTrace.json(p, false), "trace.json");
        assertTrue(((List<?>) tr.get("traceEvents")).stream().anyMatch(e -> "dbmel".equals(((Map<?, ?>) e).get("name"))));
    }

    /**
     * Each row carries the median of the bytes its op allocated over the repeats (a boxed vector kernel shows as
     * megabytes there), the per-op sums add them up, and an unknown count (-1) stays unknown.
     */
    @Test
    void reportsTheMedianAllocationOfEachOp() {
        List<List<ProfilingDevice.OpCall>> runs = new java.util.ArrayList<>();
        long[][] alloc = {{10, 7}, {30, 9}, {20, -1}};
        for (long[] a : alloc) {
            runs.add(List.of(new ProfilingDevice.OpCall("relu.fwd", "8", 0, 100, 8, 64, "main", a[0]),
                    new ProfilingDevice.OpCall("relu.fwd", "8", 100, 100, 8, 64, "main", a[1])));
        }
        Profile.Phase ph = Profile.Phase.of("step", runs, new long[] {200, 200, 200});
        assertEquals(20, ph.rows().get(0).allocBytes());
        assertEquals(7, ph.rows().get(1).allocBytes());   // median of 7, 9, -1
        assertEquals(27, ph.byOp().get(0).allocBytes());
        Profile.Phase unknown = Profile.Phase.of("step", List.of(List.of(
                new ProfilingDevice.OpCall("relu.fwd", "8", 0, 100, 8, 64, "main", -1))), new long[] {100});
        assertEquals(-1, unknown.byOp().get(0).allocBytes());
        Profile cpu = Profiler.run(dev.mtdtl.tensor.Device.cpu(), CFG, Peaks.device(dev.mtdtl.tensor.Device.cpu(), 64,
                1 << 16));
        assertTrue(cpu.table().contains("alloc KB"), cpu.table());
        for (Profile.Row r : cpu.phases().get(0).rows()) {
            assertTrue(r.allocBytes() >= 0, "HotSpot counts allocation: " + r);
        }
    }

    /** The device path (a non-CPU device, as a GPU): every op family of a step, the copies, the cost model. */
    @Test
    void profilesEveryOpOfAStepOnADevice() {
        EmulatedDevice emu = new EmulatedDevice();
        Peaks peaks = Peaks.device(emu, 64, 1 << 16);
        assertTrue(peaks.gflops() > 0 && peaks.gbPerS() > 0, peaks.toString());
        Profile p = Profiler.run(emu, CFG, peaks);
        Profile.Phase train = p.phases().get(0), infer = p.phases().get(1);

        // seven convolutions (conv1-5, conv61, conv62), each forward and both backward directions
        assertEquals(7, count(train, "conv.fwd"));
        assertEquals(7, count(train, "conv.bwd_filter"));
        // conv1's data gradient is not needed (its input is data)
        assertEquals(6, count(train, "conv.bwd_data"));
        for (String op : List.of("bn.fwd_train", "bn.bwd_train", "pool.fwd", "pool.bwd", "relu.fwd", "relu.bwd",
                "gap.fwd", "gap.bwd", "linear.fwd", "linear.bwd", "dropout.fwd", "dropout.bwd", "kl.fwd", "kl.bwd",
                "adam", "finite", "copy.h2d")) {
            assertTrue(count(train, op) > 0, "train step lacks " + op + ":\n" + p.table());
        }
        assertEquals(2 * CONV_FLOPS_PER_SAMPLE, flops(train, "conv.fwd"), 1e-6 * CONV_FLOPS_PER_SAMPLE);
        assertEquals(flops(train, "conv.fwd"), flops(infer, "conv.fwd"), 0);
        assertTrue(count(infer, "bn.fwd_eval") > 0);
        assertEquals(0, count(infer, "adam"));
        assertEquals(0, count(infer, "bn.fwd_train"));
        assertTrue(train.opNanos() <= train.wallNanos() * 1.5 + 1_000_000, p.table());

        // the outputs: profile.json parses back, the trace has complete events on named tracks, the page a chart
        Map<String, Object> js = Json.parseObject(p.json(), "profile.json");
        List<?> phases = (List<?>) js.get("phases");
        assertEquals(2, phases.size());
        assertEquals(train.rows().size(), ((List<?>) ((Map<?, ?>) phases.get(0)).get("ops")).size());
        Map<String, Object> tr = Json.parseObject(ChromeTrace.json(p, true), "trace.json");
        List<?> ev = (List<?>) tr.get("traceEvents");
        long complete = ev.stream().filter(e -> "X".equals(((Map<?, ?>) e).get("ph"))).count();
        assertEquals(train.rows().size() + infer.rows().size() + 2, complete);
        assertTrue(ev.stream().anyMatch(e -> "thread_name".equals(((Map<?, ?>) e).get("name"))));
        String html = Roofline.html(p);
        assertTrue(html.contains("<svg") && html.contains("<path d=\"M"), "no roofline");
        long plotted = train.rows().stream().filter(r -> r.flops() > 0 && r.bytes() > 0).count()
                + infer.rows().stream().filter(r -> r.flops() > 0 && r.bytes() > 0).count();
        long circles = html.split("<circle cx=", -1).length - 1;
        assertTrue(circles >= plotted, circles + " points for " + plotted + " ops");
    }

    /** The probes measure something (the command test covers the CPU run itself). */
    @Test
    void cpuProbesMeasure() {
        assertTrue(Peaks.cpuFma(20_000) > 0.01);
        assertTrue(Peaks.cpuCopy(1 << 18) > 0.01);
    }

    /**
     * Auto warm-up runs until the phase stops getting faster: a phase that takes 50, 40, 30, 20, 10 ms and then 5
     * ms every time improves for 6 runs, then needs AUTO_PATIENCE (4) runs without a 3% gain; a fixed count is
     * exactly that count.
     */
    @Test
    void autoWarmupRunsUntilThePhaseStopsGettingFaster() {
        ProfilingDevice pd = new ProfilingDevice(dev.mtdtl.tensor.Device.cpu());
        List<Integer> seen = new java.util.ArrayList<>();
        int n = Profiler.warm(pd, Profiler.AUTO, i -> {
            seen.add(i);
            try {
                Thread.sleep(Math.max(5, 50 - 10 * i));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        assertTrue(n >= 6 + Profiler.AUTO_PATIENCE && n < 6 + 3 * Profiler.AUTO_PATIENCE, "auto warm-up runs: " + n);
        assertEquals(n, seen.size());
        assertEquals(0, seen.get(0));
        assertEquals(3, Profiler.warm(pd, 3, i -> { }));
        assertTrue(pd.calls().isEmpty(), "warm-up records nothing");
    }
}

package dev.mtdtl.bench;

import dev.mtdtl.eval.profile.Peaks;
import dev.mtdtl.eval.profile.Profile;
import dev.mtdtl.eval.profile.Profiler;
import dev.mtdtl.nn.Source;
import dev.mtdtl.nn.Strategy;
import dev.mtdtl.tensor.Device;
import dev.mtdtl.tensor.Parallel;

import java.util.List;

/**
 * Where a training step spends its time, op by op: the library profiler behind {@code mtdtl profile}
 * (eval/profile) on the CPU, with the measured roofs. Usage: {@code TrainStepProfile BATCH THREADS ITERS [STRATEGY [SOURCES]]}
 * (ITERS recorded repeats after 2 warm-up steps; times are medians; default SS-R on tag; the step trains the
 * first non-self source, so {@code msscr self,tag,bpm} profiles MSS-CR's factor step). Per-layer wall time of the bare
 * {@link TrainStep} is still available through nn's LayerTimer ({@code BaseCnn.setTimer}).
 */
public final class TrainStepProfile {

    private TrainStepProfile() {}

    public static void main(String[] args) {
        int batch = args.length > 0 ? Integer.parseInt(args[0]) : 32;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        int iters = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        Strategy strategy = args.length > 3 ? Strategy.of(args[3]) : Strategy.SSR;
        List<Source> sources = args.length > 4 ? Source.parseList(args[4]) : List.of(Source.of("tag"));
        Parallel.setThreads(threads);
        Profile p = Profiler.run(Device.cpu(), new Profiler.Config(strategy, sources, batch, Profiler.AUTO,
                iters, 1234), Peaks.cpu());
        System.out.print(p.table());
        System.out.printf("nominal peak (Peak.gflops, %d threads): %.1f GFLOP/s%n", threads, Peak.gflops(threads));
    }
}

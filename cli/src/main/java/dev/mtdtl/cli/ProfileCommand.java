package dev.mtdtl.cli;

import dev.mtdtl.eval.profile.ChromeTrace;
import dev.mtdtl.eval.profile.Peaks;
import dev.mtdtl.eval.profile.Profile;
import dev.mtdtl.eval.profile.Profiler;
import dev.mtdtl.nn.Source;
import dev.mtdtl.nn.Strategy;
import dev.mtdtl.tensor.Device;
import dev.mtdtl.tensor.Parallel;
import dev.mtdtl.tensor.io.AtomicFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code mtdtl profile}: one training step and one inference pass, op by op, against the machine's measured
 * roofs (library: {@code eval/profile}). Console table, OUT/profile.json, OUT/profile.html (roofline),
 * and with --trace a Chrome trace-event file.
 */
@Command(name = "profile", mixinStandardHelpOptions = true,
        description = {"Profile one training step, one inference pass and the audio front end (decode, resample, "
                + "dB-mel, standardise one 30 s clip) op by op: time, FLOPs, bytes, GFLOP/s, GB/s and the share of the "
                + "measured compute (FMA) and bandwidth (stream-copy) roofs.",
                "Writes OUT/profile.json and OUT/profile.html (a roofline chart); --trace FILE writes Chrome "
                        + "trace-event JSON (Perfetto, chrome://tracing)."})
final class ProfileCommand implements Callable<Integer> {

    @Option(names = "--batch", defaultValue = "32", description = "batch size (default ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--strategy", defaultValue = "ssr", description = "ssr, msscr, mscr2, mscr4, mscr6, mssrfc "
            + "(default ${DEFAULT-VALUE})")
    String strategy;

    @Option(names = "--sources", defaultValue = "tag", description = "learning sources (default "
            + "${DEFAULT-VALUE}); the step trains the first that is not self")
    String sources;

    @Option(names = "--threads", description = "CPU threads (default: all cores, or MTDTL_THREADS)")
    Integer threads;

    @Option(names = "--repeats", defaultValue = "3", description = "recorded repetitions; times are medians "
            + "(default ${DEFAULT-VALUE})")
    int repeats;

    @Option(names = "--warmup", defaultValue = "auto", paramLabel = "N|auto", description = "unrecorded repetitions "
            + "first: a number, or auto: until the phase stops getting faster (the JIT has compiled the kernels; "
            + "default ${DEFAULT-VALUE})")
    String warmup;

    @Option(names = "--front-end", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "also profile the audio front end on a 30 s stereo 44.1 kHz clip (default); "
                    + "--no-front-end: the network only")
    boolean frontEnd = true;

    @Option(names = "--out", defaultValue = "profile", paramLabel = "DIR", description = "folder for profile.json and "
            + "profile.html (default ${DEFAULT-VALUE})")
    Path out;

    @Option(names = "--trace", paramLabel = "FILE", description = "write the profiled step as Chrome trace-event JSON")
    Path trace;

    @picocli.CommandLine.Mixin
    DeviceOption deviceOption = new DeviceOption();

    /** "auto" or a count >= 0; anything else is a usage error naming the option. */
    static int warmupRuns(String w) {
        if (w.equals("auto")) {
            return Profiler.AUTO;
        }
        try {
            int n = Integer.parseInt(w);
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // fall through to the message
        }
        throw new IllegalArgumentException("--warmup: expected a count >= 0 or auto, got '" + w + "'");
    }

    @Override
    public Integer call() throws Exception {
        if (threads != null) {
            Parallel.setThreads(threads);
        }
        Profiler.Config cfg = new Profiler.Config(Strategy.of(strategy), Source.parseList(sources), batch,
                warmupRuns(warmup), repeats, 1234, frontEnd);
        Device d = deviceOption.open("profile");
        System.err.println("mtdtl profile: measuring the roofs ...");
        Peaks peaks = d.isCpu() ? Peaks.cpu() : Peaks.device(d, 4096, 64 << 20);
        System.err.println("mtdtl profile: profiling ...");
        Profile p = Profiler.run(d, cfg, peaks);
        System.out.print(p.table());
        AtomicFiles.writeString(out.resolve("profile.json"), p.json());
        AtomicFiles.writeString(out.resolve("profile.html"), dev.mtdtl.eval.profile.Roofline.html(p));
        System.out.println("wrote " + out.resolve("profile.json") + " and " + out.resolve("profile.html"));
        if (trace != null) {
            AtomicFiles.writeString(trace, ChromeTrace.json(p, !d.isCpu()));
            System.out.println("wrote " + trace + " (open in ui.perfetto.dev or chrome://tracing)");
        }
        return 0;
    }
}

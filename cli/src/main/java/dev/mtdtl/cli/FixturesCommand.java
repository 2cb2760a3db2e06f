package dev.mtdtl.cli;

import dev.mtdtl.cli.conformance.Families;
import dev.mtdtl.cli.conformance.Runner;
import dev.mtdtl.tensor.Parallel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code mtdtl fixtures [DIR]}: the conformance runner. Checks every case of DIR/manifest.json whose
 * family the engine implements against its float64 reference.
 */
@Command(name = "fixtures", mixinStandardHelpOptions = true,
        description = {"Check the engine against golden fixtures (PyTorch, librosa, scikit-learn references).",
                "DIR holds manifest.json in the format of the bundled fixtures/ (see fixtures/README.md).",
                "Prints one line per case and ends with 'N passed, M failed[, K skipped]'; exit status 1 if any failed."})
final class FixturesCommand implements Callable<Integer> {

    @Parameters(index = "0", arity = "0..1", paramLabel = "DIR",
            description = "fixture directory (default: the bundled fixtures/ of this checkout)")
    Path dir;

    @Option(names = {"-v", "--verbose"}, description = "print every output of every case")
    boolean verbose;

    @Option(names = "--bits", description = "end each case's line with a CRC-32 of the bits it computed, to compare "
            + "two machines, JDKs or thread counts (docs/portability.md)")
    boolean bits;

    @Option(names = "--device", paramLabel = "cpu|cuda|auto", defaultValue = "cpu",
            description = "where the layers run (default ${DEFAULT-VALUE}); cuda checks the GPU's kernels against the "
                    + "same float64 references")
    String device;

    @Option(names = "--threads", description = "CPU threads (default: all cores, or MTDTL_THREADS)")
    Integer threads;

    @Override
    public Integer call() throws Exception {
        if (threads != null) {
            Parallel.setThreads(threads);
        }
        Path d = dir != null ? dir : bundled();
        if (d == null) {
            System.err.println("mtdtl fixtures: no DIR given and the bundled fixtures/ were not found "
                    + "(run from the checkout, or pass DIR)");
            return 2;
        }
        dev.mtdtl.tensor.Devices.Choice dc = dev.mtdtl.tensor.Devices.open(device);
        System.err.println("mtdtl fixtures: " + dc.why());
        if (dc.device().isCpu()) {
            int lanes = dev.mtdtl.tensor.cpu.CpuDevice.floatLanes();
            System.err.println("mtdtl fixtures: CPU kernels with " + lanes + " float lanes (" + 32 * lanes
                    + "-bit vectors), Java " + Runtime.version());
        }
        dev.mtdtl.cli.conformance.Families.onDevice(dc.device());
        Runner.Summary s = new Runner(Families.all(), System.out, verbose, bits).run(d);
        return s.failed() > 0 ? 1 : 0;
    }

    /** The checkout's fixtures/ folder: $MTDTL_HOME (set by the launcher) or the working directory. */
    static Path bundled() {
        String home = System.getProperty("mtdtl.home", System.getenv("MTDTL_HOME"));
        for (Path p : new Path[]{home == null ? null : Path.of(home, "fixtures"), Path.of("fixtures")}) {
            if (p != null && Files.isRegularFile(p.resolve("manifest.json"))) {
                return p;
            }
        }
        return null;
    }
}

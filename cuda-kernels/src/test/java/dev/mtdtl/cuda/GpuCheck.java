package dev.mtdtl.cuda;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectPackage;

import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TagFilter;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

import java.io.PrintWriter;

/**
 * The GPU session's entry point (bench/gpu_check.sh): prints the device, runs every "gpu"-tagged JUnit
 * test of this module through the JUnit Platform launcher (no Maven needed on the GPU machine), then
 * the timings of {@link CudaStepTiming}. Exit status 1 when no device is found or a test fails, so the
 * script's log says at once whether the kernels are right before anyone reads a timing.
 *
 * <p>Usage: {@code java --add-modules=jdk.incubator.vector -cp <jars> dev.mtdtl.cuda.GpuCheck [batch] [iters]}.
 * {@code GpuCheck --selfcheck} runs every test of the module (the GPU ones skip without a device) and no
 * timing: bench/gpu_prepare.sh uses it to prove that the carried runtime and jars work before GPU time is spent.
 * {@code GpuCheck --tests-only} runs the GPU tests and no timing (for a run under compute-sanitizer).
 * {@code GpuCheck --class NAME} runs every test of one class (another module's GPU tests, such as the CLI's).
 */
public final class GpuCheck {

    public static void main(String[] args) {
        if (args.length == 1 && args[0].equals("--selfcheck")) {
            TestExecutionSummary s = run(false);
            System.out.println(s.getTotalFailureCount() == 0 && s.getTestsSucceededCount() > 0 ? "SELFCHECK PASS" : "SELFCHECK FAIL");
            System.exit(s.getTotalFailureCount() == 0 && s.getTestsSucceededCount() > 0 ? 0 : 1);
        }
        if (args.length == 2 && args[0].equals("--class")) {
            // the GPU tests of another module (e.g. dev.mtdtl.cli.CudaTrainCommandTest), on the carried class path
            TestExecutionSummary s = run(selectClass(args[1]), false);
            boolean ok = s.getTotalFailureCount() == 0 && s.getTestsSucceededCount() > 0;
            System.out.println((ok ? "CLASS PASS " : "CLASS FAIL ") + args[1]);
            System.exit(ok ? 0 : 1);
        }
        if (!Cuda.isAvailable()) {
            System.out.println("NO GPU: " + Cuda.unavailableReason());
            System.exit(1);
        }
        System.out.println("DEVICE " + Cuda.context().describe());
        TestExecutionSummary s = run(true);
        boolean ok = s.getTotalFailureCount() == 0 && s.getTestsAbortedCount() == 0 && s.getTestsSucceededCount() > 0;
        System.out.println(ok ? "GPU TESTS PASS" : "GPU TESTS FAIL");
        if (args.length == 1 && args[0].equals("--tests-only")) {
            System.exit(ok ? 0 : 1);
        }
        try {
            CudaStepTiming.main(args);
        } catch (RuntimeException e) {
            System.out.println("TIMING FAILED: " + e);
            e.printStackTrace(System.out);
            ok = false;
        }
        System.exit(ok ? 0 : 1);
    }

    /** Runs the module's tests (only the "gpu"-tagged ones if gpuOnly), printing failures and a summary line. */
    static TestExecutionSummary run(boolean gpuOnly) {
        return run(selectPackage("dev.mtdtl.cuda"), gpuOnly);
    }

    static TestExecutionSummary run(org.junit.platform.engine.DiscoverySelector sel, boolean gpuOnly) {
        LauncherDiscoveryRequestBuilder b = LauncherDiscoveryRequestBuilder.request().selectors(sel);
        if (gpuOnly) {
            b.filters(TagFilter.includeTags("gpu"));
        }
        LauncherDiscoveryRequest req = b.build();
        Launcher launcher = LauncherFactory.create();
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        long t0 = System.nanoTime();
        launcher.execute(req, listener);
        TestExecutionSummary s = listener.getSummary();
        s.printFailuresTo(new PrintWriter(System.out, true), 40);
        System.out.printf("TESTS found=%d succeeded=%d failed=%d skipped=%d aborted=%d (%.1f s)%n",
                s.getTestsFoundCount(), s.getTestsSucceededCount(), s.getTestsFailedCount(), s.getTestsSkippedCount(),
                s.getTestsAbortedCount(), (System.nanoTime() - t0) / 1e9);
        return s;
    }
}

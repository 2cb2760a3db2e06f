package dev.mtdtl.cli;

import dev.mtdtl.eval.Extractor;
import dev.mtdtl.tensor.Device;
import dev.mtdtl.tensor.Devices;
import dev.mtdtl.tensor.Rng;
import dev.mtdtl.tensor.Tensor;
import dev.mtdtl.tensor.io.Safetensors;
import dev.mtdtl.tensor.test.Close;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code --device cuda} end to end. Without a GPU (CI): the option fails with one line and exit status 1.
 * With one: training on the GPU follows the CPU run within float32 tolerance, is bit-for-bit repeatable, its
 * checkpoint loads on the CPU with the same features, a run resumes on the other device, and the fixtures
 * pass on the GPU. (bench/gpu_check.sh runs this class on the GPU machine.)
 */
class CudaTrainCommandTest {

    @TempDir
    static Path tmp;

    static Path prepared;
    static String noGpu;

    @BeforeAll
    static void corpus() {
        try {
            Devices.open("cuda");
        } catch (Devices.UnavailableException e) {
            noGpu = e.getMessage();
            return;
        }
        Path c = tmp.resolve("corpus");
        prepared = tmp.resolve("prepared");
        assertEquals(0, Main.run("synth", "--out", c.toString(), "--tracks", "40", "--seconds", "3",
                "--target-scale", "0.125", "--emotion-clips", "20", "--recsys-users", "20",
                "--no-installed-soundbanks"));
        assertEquals(0, Main.run("prepare", "--corpus", c.toString(), "--out", prepared.toString(), "--topics", "4",
                "--iterations", "5"));
    }

    private static int train(Path run, String device, int iterations) {
        return Main.run("train", "--data", prepared.toString(), "--out", run.toString(), "--strategy", "mscr4",
                "--sources", "bpm,tag,self", "--iterations", String.valueOf(iterations), "--batch", "8", "--seed", "3",
                "--valid-every", "0", "--checkpoint-every", "3", "--device", device);
    }

    private static Map<String, Tensor> model(Path run, int it) throws Exception {
        return Safetensors.read(run.resolve(String.format("checkpoints/it-%09d/model.safetensors", it))).floats;
    }

    private static byte[] file(Path run, int it, String f) throws Exception {
        return Files.readAllBytes(run.resolve(String.format("checkpoints/it-%09d/", it)).resolve(f));
    }

    @Test
    void withoutAGpuTheOptionFailsWithOneLineAndStatus1() {
        assumeFalse(noGpu == null, "a GPU is present");
        PrintStream err = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true));
        int rc;
        try {
            rc = Main.run("train", "--data", tmp.resolve("none").toString(), "--out", tmp.resolve("r").toString(),
                    "--strategy", "ssr", "--sources", "bpm", "--iterations", "1", "--device", "cuda");
        } finally {
            System.setErr(err);
        }
        String out = buf.toString();
        assertEquals(1, rc, out);
        assertTrue(out.contains("no usable GPU: " + noGpu), out);
        assertTrue(!out.contains("\tat "), "no stack trace: " + out);
    }

    @Test
    void gpuTrainingFollowsTheCpuAndIsRepeatable() throws Exception {
        assumeTrue(noGpu == null, () -> "no GPU: " + noGpu);
        Path cpu = tmp.resolve("cpu");
        Path gpu = tmp.resolve("gpu");
        Path gpu2 = tmp.resolve("gpu2");
        assertEquals(0, train(cpu, "cpu", 9));
        assertEquals(0, train(gpu, "cuda", 9));
        assertEquals(0, train(gpu2, "cuda", 9));
        for (String f : new String[]{"model.safetensors", "optim.safetensors"}) {
            assertArrayEquals(file(gpu, 9, f), file(gpu2, 9, f), "two GPU runs differ in " + f);
        }
        // 9 Adam steps from the same start: float32 reduction order differs, the trajectory must not
        Map<String, Tensor> a = model(cpu, 9);
        Map<String, Tensor> b = model(gpu, 9);
        assertEquals(a.keySet(), b.keySet());
        for (String k : a.keySet()) {
            Close.assertRelL2(toD(a.get(k)), toD(b.get(k)), 1e-4, "GPU vs CPU " + k);
        }
    }

    @Test
    void aGpuCheckpointGivesTheSameFeaturesOnTheCpuAndResumesThere() throws Exception {
        assumeTrue(noGpu == null, () -> "no GPU: " + noGpu);
        Path whole = tmp.resolve("whole-cpu");
        Path split = tmp.resolve("gpu-then-cpu");
        assertEquals(0, train(whole, "cpu", 6));
        assertEquals(0, train(split, "cuda", 3));
        Device cuda = Devices.open("cuda").device();
        Extractor onGpu = Extractor.fromRun(split).on(cuda);
        Extractor onCpu = Extractor.fromRun(split);
        float[] slices = new float[5 * 2 * Extractor.SLICE * 128];
        Rng r = new Rng(5);
        for (int i = 0; i < slices.length; i++) {
            slices[i] = (float) r.nextGaussian();
        }
        Close.assertRelL2(toD(onCpu.trackVector(slices, 5)), toD(onGpu.trackVector(slices, 5)), 1e-4,
                "track vector of a GPU checkpoint, CPU vs GPU");
        assertEquals(0, train(split, "cpu", 6));   // resumes at 3 on the CPU
        Map<String, Tensor> a = model(whole, 6);
        Map<String, Tensor> b = model(split, 6);
        for (String k : a.keySet()) {
            Close.assertRelL2(toD(a.get(k)), toD(b.get(k)), 1e-4, "GPU-then-CPU vs CPU " + k);
        }
    }

    @Test
    void everyFixturePassesOnTheGpu() {
        assumeTrue(noGpu == null, () -> "no GPU: " + noGpu);
        Path dir = Files.isDirectory(Path.of("fixtures")) ? Path.of("fixtures") : Path.of("../fixtures");   // root or cli/
        assertEquals(0, Main.run("fixtures", "--device", "cuda", dir.toString()));
    }

    private static double[] toD(Tensor t) {
        return toD(t.data());
    }

    private static double[] toD(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }
}

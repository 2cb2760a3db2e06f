package dev.mtdtl.cuda;

import dev.mtdtl.tensor.Device;
import dev.mtdtl.tensor.Indices;
import dev.mtdtl.tensor.Tensor;
import dev.mtdtl.tensor.test.Fixtures;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The GPU as a tensor Device: memory moves, views, the finiteness flag, layout copies, wrong-device errors. */
@Tag("gpu")
class CudaDeviceTest {

    static CudaDevice gpu;

    @BeforeAll
    static void open() {
        assumeTrue(Cuda.isAvailable(), () -> "no GPU: " + Cuda.unavailableReason());
        gpu = CudaDevice.open();
    }

    @Test
    void tensorsMoveBothWaysAndViewsShareMemory() {
        float[] a = Fixtures.uniform(3, 1000, -1f, 1f);
        Tensor t = Tensor.of(a.clone(), 10, 100).to(gpu);
        assertEquals(gpu, t.device());
        assertThrows(IllegalStateException.class, t::data);
        assertArrayEquals(a, t.toCpu().data(), 0f);
        Tensor v = t.view(1000);
        v.fill(2f);
        assertArrayEquals(new float[]{2f, 2f}, java.util.Arrays.copyOf(t.toCpu().data(), 2), 0f);
        Tensor c = t.copy();                       // device to device
        t.fill(0f);
        assertEquals(2f, c.toCpu().data()[999], 0f);
        Indices i = gpu.indices(3);
        gpu.copy(i, Indices.of(new int[]{7, 8, 9}));
        Indices h = Indices.of(new int[3]);
        gpu.copy(h, i);
        assertArrayEquals(new int[]{7, 8, 9}, h.host());
    }

    @Test
    void theFinitenessFlagFindsNanAndInfInAnyTensor() {
        Tensor ok = Tensor.of(Fixtures.uniform(4, 70_001, -1e30f, 1e30f), 70_001).to(gpu);
        Tensor small = Tensor.of(new float[]{0f, -0f, Float.MIN_VALUE, Float.MAX_VALUE}, 4).to(gpu);
        assertTrue(gpu.allFinite(List.of(ok, small)));
        for (float bad : new float[]{Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
            float[] x = new float[70_001];
            x[70_000] = bad;
            assertFalse(gpu.allFinite(List.of(ok, Tensor.of(x, 70_001).to(gpu))), "missed " + bad);
        }
        assertTrue(gpu.allFinite(List.of(ok)), "the flag is cleared between calls");
    }

    @Test
    void columnConcatAndSplitMatchTheCpu() {
        int n = 37, da = 5, db = 11;
        Tensor a = Tensor.of(Fixtures.uniform(5, n * da, -1f, 1f), n, da);
        Tensor b = Tensor.of(Fixtures.uniform(6, n * db, -1f, 1f), n, db);
        Tensor cat = Tensor.zeros(n, da + db);
        Device.cpu().ops().concatColumns(cat, a, b, n, da, db);
        Tensor gcat = gpu.zeros(n, da + db);
        gpu.concatColumns(gcat, a.to(gpu), b.to(gpu), n, da, db);
        assertArrayEquals(cat.data(), gcat.toCpu().data(), 0f);
        Tensor ga = gpu.zeros(n, da), gb = gpu.zeros(n, db);
        gpu.splitColumns(ga, gb, gcat, n, da, db);
        assertArrayEquals(a.data(), ga.toCpu().data(), 0f);
        assertArrayEquals(b.data(), gb.toCpu().data(), 0f);
    }

    @Test
    void aCpuTensorGivenToAGpuOpIsAClearError() {
        Tensor x = Tensor.zeros(4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> gpu.reluForward(gpu.zeros(4), x, 4));
        assertTrue(e.getMessage().contains("lives on cpu"), e.getMessage());
    }
}

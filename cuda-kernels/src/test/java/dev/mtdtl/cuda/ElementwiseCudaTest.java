package dev.mtdtl.cuda;

import static dev.mtdtl.cuda.Dev.down;
import static dev.mtdtl.cuda.Dev.downInt;
import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.mtdtl.tensor.cpu.AdamCpu;
import dev.mtdtl.tensor.cpu.DropoutCpu;
import dev.mtdtl.tensor.cpu.GlobalAvgPoolCpu;
import dev.mtdtl.tensor.cpu.MaxPoolCpu;
import dev.mtdtl.tensor.cpu.ReluCpu;
import dev.mtdtl.tensor.ref.GlobalAvgPoolRef;
import dev.mtdtl.tensor.test.Close;
import dev.mtdtl.tensor.test.Fixtures;
import dev.mtdtl.tensor.test.Tol;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * ReLU, dropout, Adam, max-pool and global average pool on the GPU. The first four promise the CPU's
 * bits exactly (no rounding, or the same IEEE operations in the same order), so they are compared
 * bit for bit with the CPU op, which is itself checked against the double references in tensor's tests;
 * the pooling mean is compared with the double reference.
 */
@Tag("gpu")
class ElementwiseCudaTest {

    static final int[] SIZES = {1, 7, 1023, 4099, 16 * 54 * 64 * 8 + 3};

    @BeforeAll
    static void gpu() {
        assumeTrue(Cuda.isAvailable(), () -> "no GPU: " + Cuda.unavailableReason());
    }

    @Test
    void reluBitsEqualCpu() {
        for (int n : SIZES) {
            float[] x = Fixtures.uniform(11 + n, n, -3f, 3f);
            x[0] = n > 2 ? Float.NaN : x[0];
            if (n > 3) {
                x[1] = -0f;
                x[2] = 0f;
            }
            float[] dy = Fixtures.uniform(12 + n, n, -1f, 1f);
            float[] y = new float[n], dx = new float[n];
            ReluCpu.forward(y, x, n);
            ReluCpu.backward(dx, dy, y, n);
            try (Dev d = new Dev()) {
                DeviceBuffer gy = d.poisoned(n), gdx = d.poisoned(n), gx = d.up(x), gdy = d.up(dy);
                ReluCuda.forward(gy, gx, n);
                ReluCuda.backward(gdx, gdy, gy, n);
                Close.assertExact(y, down(gy, n), "relu forward n=" + n);
                Close.assertExact(dx, down(gdx, n), "relu backward n=" + n);
            }
        }
    }

    @Test
    void dropoutMaskBitsEqualCpu() {
        for (int n : SIZES) {
            for (float p : new float[] {0f, 0.5f, 0.3f}) {
                long seed = 0x5EEDL * n + Float.floatToIntBits(p);
                float[] x = Fixtures.uniform(seed, n, -2f, 2f);
                float[] dy = Fixtures.uniform(seed + 1, n, -1f, 1f);
                float[] y = new float[n], mask = new float[n], dx = new float[n];
                DropoutCpu.forward(y, mask, x, n, p, seed);
                DropoutCpu.backward(dx, dy, mask, n);
                try (Dev d = new Dev()) {
                    DeviceBuffer gy = d.poisoned(n), gm = d.poisoned(n), gdx = d.poisoned(n), gx = d.up(x), gdy = d.up(dy);
                    DropoutCuda.forward(gy, gm, gx, n, p, seed);
                    DropoutCuda.backward(gdx, gdy, gm, n);
                    Close.assertExact(mask, down(gm, n), "dropout mask n=" + n + " p=" + p);
                    Close.assertExact(y, down(gy, n), "dropout y n=" + n + " p=" + p);
                    Close.assertExact(dx, down(gdx, n), "dropout dx n=" + n + " p=" + p);
                }
            }
        }
    }

    @Test
    void adamBitsEqualCpuOverThreeSteps() {
        int total = 70_001, off = 13, len = total - 2 * off;
        float[] p = Fixtures.uniform(1, total, -1f, 1f);
        float[] m = new float[total], v = new float[total];
        try (Dev d = new Dev()) {
            DeviceBuffer gp = d.up(p), gm = d.up(m), gv = d.up(v);
            for (int t = 1; t <= 3; t++) {
                float[] g = Fixtures.uniform(100 + t, total, -0.1f, 0.1f);
                DeviceBuffer gg = d.up(g);
                AdamCpu.step(p, g, m, v, off, len, t, 2.5e-4f, 0.9f, 0.999f, 1e-8f, 1e-6f);
                AdamCuda.step(gp, gg, gm, gv, off, len, t, 2.5e-4f, 0.9f, 0.999f, 1e-8f, 1e-6f);
            }
            Close.assertExact(p, down(gp, total), "adam p");
            Close.assertExact(m, down(gm, total), "adam m");
            Close.assertExact(v, down(gv, total), "adam v");
        }
    }

    @Test
    void maxPoolBitsEqualCpuWithTiesAndNaN() {
        int[][] shapes = {{1, 1, 2, 2}, {2, 3, 7, 9}, {4, 16, 108, 128}, {3, 64, 13, 16}};
        for (int[] s : shapes) {
            int n = s[0], c = s[1], h = s[2], w = s[3], len = n * c * h * w, out = n * c * (h / 2) * (w / 2);
            float[] x = Fixtures.uniform(len, len, -1f, 1f);
            for (int i = 0; i < len; i++) {
                x[i] = Math.round(x[i] * 3) / 3f;      // few levels: many ties
            }
            if (len > 10) {
                x[5] = Float.NaN;
            }
            float[] dy = Fixtures.uniform(len + 1, out, -1f, 1f);
            float[] y = new float[out], dx = new float[len];
            int[] am = new int[out];
            MaxPoolCpu.forward(y, am, x, n, c, h, w);
            MaxPoolCpu.backward(dx, dy, am, n, c, h, w);
            try (Dev d = new Dev()) {
                DeviceBuffer gy = d.poisoned(out), gam = d.poisoned(out), gdx = d.poisoned(len), gx = d.up(x), gdy = d.up(dy);
                MaxPoolCuda.forward(gy, gam, gx, n, c, h, w);
                MaxPoolCuda.backward(gdx, gdy, gam, n, c, h, w);
                String sh = java.util.Arrays.toString(s);
                Close.assertExact(y, down(gy, out), "maxpool y " + sh);
                assertArrayEquals(am, downInt(gam, out), "maxpool argmax " + sh);
                Close.assertExact(dx, down(gdx, len), "maxpool dx " + sh);
            }
        }
    }

    @Test
    void globalAvgPoolMatchesReference() {
        int[][] shapes = {{1, 1, 1}, {2, 3, 7}, {128, 256, 12}, {4, 8, 1000}};
        for (int[] s : shapes) {
            int n = s[0], c = s[1], sz = s[2], len = n * c * sz;
            float[] x = Fixtures.uniform(7 + len, len, -1f, 1f);
            float[] dy = Fixtures.uniform(8 + len, n * c, -1f, 1f);
            float[] dx = new float[len];
            GlobalAvgPoolCpu.backward(dx, dy, n, c, sz);
            try (Dev d = new Dev()) {
                DeviceBuffer gy = d.poisoned(n * c), gdx = d.poisoned(len), gx = d.up(x), gdy = d.up(dy);
                GlobalAvgPoolCuda.forward(gy, gx, n, c, sz);
                GlobalAvgPoolCuda.backward(gdx, gdy, n, c, sz);
                Close.assertRelL2(GlobalAvgPoolRef.forward(Fixtures.toDouble(x), n, c, sz), down(gy, n * c),
                        Tol.reduction(sz), "gap forward");
                Close.assertExact(dx, down(gdx, len), "gap backward");
            }
        }
    }

    @Test
    void allocatorReusesBlocks() {
        DeviceAllocator a = Cuda.context().allocator();
        try (DeviceBuffer b = Cuda.context().alloc(1000)) {
            assertTrue(b.elements() >= 1000);
        }
        long before = a.driverAllocations();
        for (int i = 0; i < 100; i++) {
            try (DeviceBuffer b = Cuda.context().alloc(1000)) {
                assertEquals(1000, b.elements());
            }
        }
        assertEquals(before, a.driverAllocations(), "same size class must come from the cache");
        DeviceBuffer b = Cuda.context().alloc(10);
        b.close();
        b.close();   // idempotent
        assertThrows(IllegalStateException.class, b::ptr);
    }

    @Test
    void pinnedUploadOverlapsOnTheCopyStream() {
        int n = 1 << 20;
        float[] x = Fixtures.uniform(3, n, -1f, 1f);
        try (PinnedBuffer pin = new PinnedBuffer(n); Dev d = new Dev()) {
            pin.floats().put(x);
            DeviceBuffer g = d.poisoned(n);
            pin.uploadAsync(g, n);
            pin.waitUpload();
            Close.assertExact(x, down(g, n), "pinned upload");
        }
    }
}

package dev.mtdtl.cuda;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/** Everything of the CUDA module that runs without a device: the probe's "no" path, size classes, launch arithmetic. */
class CpuSideTest {

    @Test
    void disabledProbeSaysWhy() {
        Cuda.Status s = Cuda.probe(true);
        assertFalse(s.available());
        assertTrue(s.reason().contains("disabled"), s.reason());
        assertNull(s.context());
    }

    @Test
    void isAvailableNeverThrowsAndExplainsANo() {
        boolean a = assertDoesNotThrow(Cuda::isAvailable);
        if (a) {
            assertNull(Cuda.unavailableReason());
        } else {
            String why = Cuda.unavailableReason();
            assertNotNull(why);
            assertFalse(why.isBlank());
            IllegalStateException e = assertThrows(IllegalStateException.class, Cuda::context);
            assertTrue(e.getMessage().contains(why));
            System.out.println("CUDA not available here: " + why);
        }
    }

    @Test
    void sizeClasses() {
        assertEquals(512, DeviceAllocator.roundSize(0));
        assertEquals(512, DeviceAllocator.roundSize(1));
        assertEquals(512, DeviceAllocator.roundSize(512));
        assertEquals(1024, DeviceAllocator.roundSize(513));
        assertEquals(1 << 20, DeviceAllocator.roundSize((1 << 19) + 1));
        assertEquals(1 << 20, DeviceAllocator.roundSize(1 << 20));
        assertEquals(2 << 20, DeviceAllocator.roundSize((1 << 20) + 1));
        assertEquals(354L << 20, DeviceAllocator.roundSize(354L * (1 << 20) - 7));
        assertThrows(IllegalArgumentException.class, () -> DeviceAllocator.roundSize(-1));
        for (long b = 1; b < 5_000_000; b = b * 3 + 1) {
            long r = DeviceAllocator.roundSize(b);
            assertTrue(r >= b && (r <= 2 * b || r == 512 || r - b < (1 << 20)), b + " -> " + r);
        }
    }

    @Test
    void elementwiseGrid() {
        assertEquals(1, LaunchConfig.elementwise(0));
        assertEquals(1, LaunchConfig.elementwise(256));
        assertEquals(2, LaunchConfig.elementwise(257));
        assertEquals(LaunchConfig.MAX_GRID, LaunchConfig.elementwise(1L << 40));
        assertEquals(16, LaunchConfig.warpPerRow(128));   // the KL loss at batch 128: 8 rows per block
        assertEquals(1, LaunchConfig.warpPerRow(1));
    }

    @Test
    void gemmGridAndSplitK() {
        assertArrayEquals(new int[] {2, 1}, LaunchConfig.gemmGrid(16, 65));
        // conv1's filter gradient at batch 128: M = OC = 16, N = R = 50, K = Q = 128*108*128
        int k = 128 * 108 * 128;
        int splits = LaunchConfig.splitK(16, 50, k);
        assertEquals(LaunchConfig.TARGET_BLOCKS, splits);
        int per = LaunchConfig.kPerSlice(k, splits);
        assertEquals(0, per % LaunchConfig.GEMM_TK);
        assertTrue((long) per * splits >= k && (long) per * (splits - 1) < k);
        assertEquals(1, LaunchConfig.splitK(4096, 4096, 4096), "enough tiles: no split");
        assertEquals(1, LaunchConfig.splitK(16, 16, 1000), "short K: no split");
        assertEquals(3, LaunchConfig.splitK(16, 16, 3 * LaunchConfig.SPLITK_MIN_K + 5), "split bounded by K");
    }

    @Test
    void batchNormParts() {
        assertEquals(1, LaunchConfig.bnParts(128, 256));          // BatchNorm1d at batch 128: one block per channel
        int p = LaunchConfig.bnParts(128L * 108 * 128, 16);       // conv1's BN: many blocks per channel
        assertTrue(p * 16 >= LaunchConfig.TARGET_BLOCKS && p <= 1024, "parts " + p);
        assertTrue(128L * 108 * 128 / p >= LaunchConfig.BN_MIN_PER_BLOCK);
    }
}

package dev.mtdtl.cuda;

/**
 * Launch-configuration arithmetic, kept apart from the driver so that a CPU test checks it. Every
 * number here depends on the shape only (never on the device or on timing), so the order in which a
 * reduction combines its parts, and therefore its bits, is the same on every run and every GPU.
 */
public final class LaunchConfig {

    /** Threads per block for every kernel in this module (8 warps). */
    public static final int THREADS = 256;
    /** Cap on a grid-stride grid: 65,535 blocks x 256 threads keep every SM of an H100 busy many times over. */
    public static final int MAX_GRID = 65_535;
    /** GEMM tile of C per block (sgemm.cu: TM x TN) and the K step. */
    public static final int GEMM_TILE = 64, GEMM_TK = 16;
    /** Batch-norm and split-K targets: at least this many blocks in flight (2 per SM of a 132-SM GPU). */
    static final int TARGET_BLOCKS = 264;
    /** Batch norm: at least this many values per block, so the per-block tree is amortised. */
    static final int BN_MIN_PER_BLOCK = 4096;
    /** Split-K: at least this much K per slice. */
    static final int SPLITK_MIN_K = 512;

    private LaunchConfig() {}

    public static int ceilDiv(long a, long b) {
        long q = (a + b - 1) / b;
        if (q > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(a + " / " + b + " blocks exceed int range");
        }
        return (int) q;
    }

    /** Blocks for a 1-D grid-stride kernel over {@code len} elements: ceil(len/256), at least 1, at most MAX_GRID. */
    public static int elementwise(long len) {
        if (len < 0) {
            throw new IllegalArgumentException("negative length " + len);
        }
        return (int) Math.max(1, Math.min(MAX_GRID, (len + THREADS - 1) / THREADS));
    }

    /** Blocks for a kernel that gives each of {@code rows} rows one warp (8 rows per block). */
    public static int warpPerRow(long rows) {
        return Math.max(1, ceilDiv(rows, THREADS / 32));
    }

    /** GEMM grid (x: column tiles, y: row tiles) for an M x N result. */
    public static int[] gemmGrid(int m, int n) {
        return new int[] {Math.max(1, ceilDiv(n, GEMM_TILE)), Math.max(1, ceilDiv(m, GEMM_TILE))};
    }

    /**
     * Split-K slices for an M x N x K product: 1 when the tiles already fill the GPU or K is short,
     * else enough slices to reach {@link #TARGET_BLOCKS}, each at least {@link #SPLITK_MIN_K} long.
     */
    public static int splitK(int m, int n, int k) {
        long tiles = (long) ceilDiv(m, GEMM_TILE) * ceilDiv(n, GEMM_TILE);
        if (tiles >= TARGET_BLOCKS || k < 2 * SPLITK_MIN_K) {
            return 1;
        }
        long want = ceilDiv(TARGET_BLOCKS, tiles);
        long maxByK = k / SPLITK_MIN_K;
        return (int) Math.max(1, Math.min(want, maxByK));
    }

    /** K per slice for {@code splits} slices, rounded up to the K step so slices start on tile boundaries. */
    public static int kPerSlice(int k, int splits) {
        int per = ceilDiv(k, splits);
        return ceilDiv(per, GEMM_TK) * GEMM_TK;
    }

    /**
     * Blocks per channel for the batch-norm reductions over cnt = N*S values per channel, C channels:
     * enough for {@link #TARGET_BLOCKS} in total, with at least {@link #BN_MIN_PER_BLOCK} values each.
     */
    public static int bnParts(long cnt, int c) {
        long byWork = Math.max(1, cnt / BN_MIN_PER_BLOCK);
        long byGpu = Math.max(1, ceilDiv(TARGET_BLOCKS, c));
        return (int) Math.min(byWork, Math.min(byGpu * 4L, 1024));
    }
}

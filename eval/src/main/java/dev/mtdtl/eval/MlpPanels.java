package dev.mtdtl.eval;

import dev.mtdtl.tensor.cpu.GemmKernel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Where one packed GEMM operand of the MLP lives in its arena: op(A) as MR-row panels or op(B) as NR-column
 * panels ({@link GemmKernel}'s layouts), per K block of {@link GemmKernel#KC}.
 *
 * <p>"Index" i runs along the panels (a row of op(A), a column of op(B)), p along the depth K. With
 * {@code width} = i's range rounded up to {@code lanes} (MR or NR), K block kb (length kc = min(KC, K - kb·KC))
 * starts at {@code base + kb·KC·width}, its panel of i at {@code + (i / lanes)·lanes·kc}, and element (i, p)
 * at {@code + (p - kb·KC)·lanes + i % lanes}. The depth K is a call argument because the batch-deep operands
 * (K = rows of the minibatch) change length on an epoch's last, shorter minibatch.
 *
 * @param base  first float in the arena
 * @param lanes MR (op(A) panels) or NR (op(B) panels)
 * @param width i's range rounded up to lanes
 */
record MlpPanels(int base, int lanes, int width) {

    static final int KC = GemmKernel.KC;
    private static final int NR = GemmKernel.NR;
    private static final VectorSpecies<Float> S = GemmKernel.SPECIES;
    private static final int VL = S.length();

    /** An operand of {@code extent} indices (rows of op(A) or columns of op(B)) at most {@code depth} deep. */
    static MlpPanels of(int base, int lanes, int extent) {
        return new MlpPanels(base, lanes, (extent + lanes - 1) / lanes * lanes);
    }

    /** Floats it occupies at depth {@code depth}. */
    long floats(int depth) {
        return (long) width * depth;
    }

    /** Start of the panel holding index i in K block kb, for total depth k. */
    int panel(int i, int kb, int k) {
        int kc = Math.min(KC, k - kb * KC);
        return base + kb * KC * width + (i / lanes) * lanes * kc;
    }

    /** Position of element (i, p) at total depth k. */
    int at(int i, int p, int k) {
        int kb = p / KC;
        return panel(i, kb, k) + (p - kb * KC) * lanes + i % lanes;
    }

    /**
     * Store row-major row {@code src[off, off + k)} as the depth line of index i (op(A) row i, or the row i of
     * a stored-transposed op(B)): stride {@code lanes} within each K block.
     */
    void putDepthLine(float[] arena, int i, float[] src, int off, int k) {
        for (int kb = 0; kb * KC < k; kb++) {
            int p0 = kb * KC;
            int kc = Math.min(KC, k - p0);
            int dst = panel(i, kb, k) + i % lanes;
            for (int p = 0; p < kc; p++) {
                arena[dst + p * lanes] = src[off + p0 + p];
            }
        }
    }

    /**
     * Store {@code src[off, off + n)} as the indices 0..n-1 at depth p (a row of op(B), or a column of a
     * stored-transposed op(A)): {@code lanes} consecutive floats per panel.
     */
    void putIndexLine(float[] arena, int p, float[] src, int off, int n, int k) {
        int kb = p / KC;
        int kc = Math.min(KC, k - kb * KC);
        int row = base + kb * KC * width + (p - kb * KC) * lanes;
        // Full NR panels as two vector moves (System.arraycopy's stub costs more at 32 floats), the rest
        // element by element.
        int i0 = 0;
        if (lanes == NR) {
            for (; i0 + NR <= n; i0 += NR) {
                int to = row + i0 * kc;
                FloatVector.fromArray(S, src, off + i0).intoArray(arena, to);
                FloatVector.fromArray(S, src, off + i0 + VL).intoArray(arena, to + VL);
            }
        }
        for (; i0 < n; i0 += lanes) {
            int to = row + i0 * kc - i0;
            for (int i = i0, e = Math.min(n, i0 + lanes); i < e; i++) {
                arena[to + i] = src[off + i];
            }
        }
    }
}

package dev.mtdtl.factor;

/**
 * The k largest entries of a score vector, best first, ties broken by the lower index (so rankings are
 * deterministic whatever the data): a binary min-heap of the best k seen so far, O(M log k).
 * NaN ranks after every number.
 */
public final class TopK {

    private TopK() {}

    /** Indices of the {@code k} largest of {@code scores[off .. off+m)}, relative to {@code off}, best first. */
    public static int[] indices(double[] scores, int off, int m, int k) {
        k = Math.max(0, Math.min(k, m));
        int[] heap = new int[k];   // heap[0] = the worst kept entry
        int size = 0;
        for (int i = 0; i < m && k > 0; i++) {
            if (size < k) {
                heap[size] = i;
                siftUp(heap, size++, scores, off);
            } else if (better(i, heap[0], scores, off)) {
                heap[0] = i;
                siftDown(heap, k, scores, off);
            }
        }
        int[] out = new int[k];
        for (int j = k - 1; j >= 0; j--) {   // pop worst-first into the back
            out[j] = heap[0];
            heap[0] = heap[--size];
            siftDown(heap, size, scores, off);
        }
        return out;
    }

    /** Indices of the {@code k} largest scores, best first. */
    public static int[] indices(double[] scores, int k) {
        return indices(scores, 0, scores.length, k);
    }

    /** a ranks before b: higher score, or the same score and a lower index. */
    private static boolean better(int a, int b, double[] s, int off) {
        double x = s[off + a];
        double y = s[off + b];
        boolean nx = Double.isNaN(x);
        boolean ny = Double.isNaN(y);
        if (nx || ny) {
            return nx == ny ? a < b : ny;
        }
        return x != y ? x > y : a < b;
    }

    private static void siftUp(int[] h, int i, double[] s, int off) {
        while (i > 0) {
            int p = (i - 1) >>> 1;
            if (!better(h[p], h[i], s, off)) {
                return;   // the parent is already the worse one
            }
            int t = h[p];
            h[p] = h[i];
            h[i] = t;
            i = p;
        }
    }

    private static void siftDown(int[] h, int size, double[] s, int off) {
        int i = 0;
        while (true) {
            int l = 2 * i + 1;
            if (l >= size) {
                return;
            }
            int w = l + 1 < size && better(h[l], h[l + 1], s, off) ? l + 1 : l;   // the worse child
            if (!better(h[i], h[w], s, off)) {
                return;
            }
            int t = h[w];
            h[w] = h[i];
            h[i] = t;
            i = w;
        }
    }
}

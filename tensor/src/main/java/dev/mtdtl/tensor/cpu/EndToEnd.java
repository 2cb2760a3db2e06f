package dev.mtdtl.tensor.cpu;

import dev.mtdtl.tensor.Parallel;

/**
 * A list of arrays walked as one index space, array 0's [0, len[0]) first, then array 1's, and so on, in parallel
 * chunks of a fixed number of elements: the element-wise ops over a parameter group's tensors (Adam's step, the
 * gradients' finiteness check) as one parallel loop, where one call per tensor left most of the base CNN's 34 small
 * tensors to the calling thread alone. A chunk may start or end inside an array and may span several; its
 * boundaries depend on the lengths and the grain only.
 */
final class EndToEnd {

    private EndToEnd() {}

    /** One chunk's piece of array {@code array}: its elements [from, to). Returns false to stop the chunk early. */
    @FunctionalInterface
    interface Piece {
        boolean run(int chunk, int array, int from, int to);
    }

    /** start[i] = len[0] + ... + len[i-1], for i in [0, len.length]; throws if the total is not an int. */
    static long[] starts(int[] len, String op) {
        long[] start = new long[len.length + 1];
        for (int i = 0; i < len.length; i++) {
            start[i + 1] = start[i] + len[i];
        }
        if (start[len.length] > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(op + ": " + start[len.length] + " elements in all, more than an int");
        }
        return start;
    }

    /** Chunks of {@code grain} elements over the index space of {@link #starts}, each cut into its arrays' pieces. */
    static void forPieces(long[] start, int grain, Piece body) {
        int arrays = start.length - 1;
        Parallel.forChunks((int) start[arrays], grain, (chunk, from, to) -> {
            int i = 0;
            while (start[i + 1] <= from) {
                i++;
            }
            for (int at = from; at < to; i++) {
                int lo = (int) (at - start[i]);
                int hi = (int) (Math.min(to, start[i + 1]) - start[i]);
                if (!body.run(chunk, i, lo, hi)) {
                    return;
                }
                at += hi - lo;
            }
        });
    }
}

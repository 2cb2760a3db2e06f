package dev.mtdtl.tensor.cpu;

import dev.mtdtl.tensor.Parallel;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How the direct convolution kernels ({@link ConvDirect}, {@link ConvNarrow}) walk the batch in {@link Conv2dCpu}'s
 * forward and data gradient, and {@link ConvFilterOc} in conv1's filter gradient: a few images at a time, each padded
 * into a slot of the workspace right before the kernel reads it, instead of the whole batch padded first and read
 * back after.
 *
 * <p>Why: the padded copy of the whole batch was the largest buffer of the network (conv2's data direction: 62 MB
 * at batch 128, the one workspace slot that every layer shares), and it went out to memory and came back: written
 * in one parallel loop, read in the next. Padded one image at a time by the thread that then convolves it, the
 * copy (conv2's dy: 487 KB an image) is still in that core's L2 when the kernel reads it. Measured by 32 calls on
 * one image each against one call on 32 images (1 thread, the weights repacked in every call): conv2's data
 * gradient 8.09 -> 6.27 ms, conv3's 7.55 -> 6.53, conv1's forward 4.58 -> 4.15, conv2's 6.24 -> 5.81.
 *
 * <p>Work: with enough images for every thread ({@code N >= 2T}, T at most {@link #SLOTS}), one participant per
 * thread, each with a slot of its own, takes the next image from a shared counter and runs all of it (the kernel's
 * own parallel loops run serially inside); otherwise (few images, or more threads than slots) groups of up to
 * {@link #SLOTS} images, each padded and convolved with the kernels' parallel loops, so that a small batch still
 * spreads its (image, channel block) tiles over every thread. Every output element is computed by the same tile
 * from the same padded values either way: the bits depend neither on the path nor on the thread count.
 */
final class ConvImages {

    /** Most images whose padded copies the workspace holds at once. */
    static final int SLOTS = 16;

    private ConvImages() {}

    /** Slots the workspace holds for a batch of n: min(n, {@link #SLOTS}). */
    static int slots(int n) {
        return Math.min(n, SLOTS);
    }

    /** Pad and convolve images [n0, n0 + nb) with their padded copies in slots slot .. slot + nb - 1. */
    @FunctionalInterface
    interface Body {
        void run(int slot, int n0, int nb);
    }

    /** Whether {@link #run} gives each thread a participant of its own at the current thread count (else groups). */
    static boolean byParticipants(int n) {
        int t = Parallel.threads();
        return t > 1 && t <= slots(n) && n >= 2 * t;
    }

    /** body over the batch of n images, each image exactly once (see the class comment for the order). */
    static void run(int n, Body body) {
        int t = Parallel.threads();
        int s = slots(n);
        if (t == 1) {
            for (int b = 0; b < n; b++) {
                body.run(0, b, 1);
            }
        } else if (byParticipants(n)) {
            AtomicInteger next = new AtomicInteger();
            Parallel.forEach(t, (who, w0, w1) -> {
                for (int b; (b = next.getAndIncrement()) < n; ) {
                    body.run(who, b, 1);
                }
            });
        } else {
            for (int n0 = 0; n0 < n; n0 += s) {
                body.run(0, n0, Math.min(s, n - n0));
            }
        }
    }
}

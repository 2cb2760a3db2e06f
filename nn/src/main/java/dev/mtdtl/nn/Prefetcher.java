package dev.mtdtl.nn;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Builds the batches of iterations [from, to) on one background thread, in order, into a bounded
 * queue (PT: prefetch_generator with 5 batches), recycling the tensors of batches already used. Batches
 * are pure functions of (seed, iteration) ({@link BatchSampler}), so prefetching changes nothing in the
 * result. A failure on the background
 * thread is rethrown by {@link #next()}.
 */
final class Prefetcher implements AutoCloseable {

    private record Failure(Throwable error) {}

    private final BlockingQueue<Object> queue;
    private final Thread thread;
    /** Batches the consumer is done with, whose tensors the next batches are written into. */
    private final BlockingQueue<BatchSampler.Batch> free;
    private BatchSampler.Batch current;   // the consumer's batch, recycled on the next call of next()

    Prefetcher(BatchSampler sampler, long from, long to, int depth) {
        queue = new ArrayBlockingQueue<>(Math.max(1, depth));
        // at most depth queued + one being built + one in use exist: the ring never needs more
        free = new ArrayBlockingQueue<>(Math.max(1, depth) + 2);
        thread = new Thread(() -> {
            try {
                for (long i = from; i < to; i++) {
                    queue.put(sampler.batch(i, free.poll()));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Throwable e) {
                try {
                    queue.put(new Failure(e));
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                }
            }
        }, "mtdtl-prefetch");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * The next batch, in iteration order. The batch returned by the previous call is handed back to the ring
     * here: the caller must be done with it (the trainer is: one batch per step).
     */
    BatchSampler.Batch next() {
        if (current != null) {
            free.offer(current);
            current = null;
        }
        Object o;
        try {
            o = queue.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a batch", e);
        }
        if (o instanceof Failure f) {
            throw new IllegalStateException("batch assembly failed: " + f.error().getMessage(), f.error());
        }
        current = (BatchSampler.Batch) o;
        return current;
    }

    @Override
    public void close() {
        thread.interrupt();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

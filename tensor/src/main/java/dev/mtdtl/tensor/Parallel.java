package dev.mtdtl.tensor;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The one fixed thread pool of the engine, and the only way a CPU kernel goes parallel.
 *
 * <p>Determinism contract: {@link #forChunks} splits {@code [0, n)} into chunks whose boundaries depend
 * only on {@code n} and {@code grain}, never on the number of threads. A kernel either writes disjoint
 * outputs per chunk, or writes one partial result per chunk that the caller then combines in chunk
 * order. Either way the result is bit-identical for 1 thread and for 64.
 *
 * <p>Threads: system property {@code mtdtl.threads}, else environment {@code MTDTL_THREADS}, else the
 * number of available processors. The calling thread takes part in the work, so a pool of {@code t}
 * threads runs {@code t - 1} workers. A parallel call made from inside a worker runs serially
 * (no nested parallelism, no deadlock). Between loops the threads spin a while before they park
 * ({@link #SPIN_NANOS}).
 */
public final class Parallel {

    /** Body of a parallel loop: handle indices {@code [from, to)} of chunk number {@code chunk}. */
    @FunctionalInterface
    public interface ChunkBody {
        void run(int chunk, int from, int to);
    }

    private static volatile Pool pool = new Pool(defaultThreads());

    /**
     * How long a pool thread spins (checking for the next job, or for the last chunk of its own) before it parks:
     * system property {@code mtdtl.spinMicros}, default 300; 0 parks at once. Why: waking a parked thread costs
     * this VM ~30 us (a futex, and a halted virtual CPU), paid by every parallel loop twice (the worker's start,
     * the caller's wake-up) when the threads park between loops: a loop of two 200 us chunks took 261-276 us
     * instead of 200, and a base-CNN step runs ~130 loops, most of them a few microseconds after the last. Spinning
     * brought that loop to 205-206 us and the 2-thread step from 59.4-62.3 to 57.5-59.8 ms median (bench/RESULTS.md);
     * it costs a few ms of CPU a step, bounded by the spin after each loop.
     */
    static final long SPIN_NANOS = spinMicros() * 1000L;

    /** {@code mtdtl.spinMicros}, 300 when unset; a value that is not a whole number >= 0 is ignored, with a line. */
    private static long spinMicros() {
        String s = System.getProperty("mtdtl.spinMicros");
        if (s == null || s.isBlank()) {
            return 300;
        }
        try {
            long us = Long.parseLong(s.trim());
            if (us >= 0) {
                return us;
            }
        } catch (NumberFormatException e) {
            // fall through to the default; a bad value must not stop the engine
        }
        System.err.println("mtdtl: ignoring invalid mtdtl.spinMicros '" + s + "' (a whole number of microseconds "
                + ">= 0); spinning 300 us");
        return 300;
    }

    private Parallel() {}

    /**
     * The most threads a pool may have. Results do not depend on the count, so more threads than cores is allowed (it
     * only wastes time), but a pool of 2^31 - 1 workers is an array the JVM cannot allocate (an OutOfMemoryError with
     * a stack trace, for a typo in {@code --threads}); 4,096 is past any machine this runs on.
     */
    public static final int MAX_THREADS = 4096;

    /** Number of threads that parallel loops use (including the caller). */
    public static int threads() {
        return pool.size;
    }

    /**
     * Replace the pool with one of {@code n} threads. Intended for start-up, benchmarks and the
     * single- versus multi-thread tests; not to be called while a parallel loop runs.
     */
    public static synchronized void setThreads(int n) {
        if (n < 1 || n > MAX_THREADS) {
            throw new IllegalArgumentException("threads must be from 1 to " + MAX_THREADS + ", got " + n + " (this machine "
                    + "has " + Runtime.getRuntime().availableProcessors() + " cores)");
        }
        if (n == pool.size) {
            return;
        }
        Pool old = pool;
        pool = new Pool(n);
        old.shutdown();
    }

    /**
     * Thread ids of the current pool's workers ({@code threads() - 1} of them; the caller that joins each loop is not
     * one): for per-thread accounting of the compute threads, such as their heap allocation (nn's AllocationWatch).
     */
    public static long[] workerIds() {
        Pool p = pool;
        long[] ids = new long[p.workers.length];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = p.workers[i].getId();
        }
        return ids;
    }

    /** Number of chunks {@link #forChunks} will use for {@code n} items with chunk size {@code grain}. */
    public static int chunkCount(int n, int grain) {
        if (grain < 1) {
            throw new IllegalArgumentException("grain must be >= 1, got " + grain);
        }
        return n <= 0 ? 0 : (n + grain - 1) / grain;
    }

    /**
     * Run {@code body} over {@code [0, n)} in chunks of {@code grain} items (the last may be shorter).
     * Chunk {@code c} covers {@code [c*grain, min(n, (c+1)*grain))}, independent of the thread count.
     */
    public static void forChunks(int n, int grain, ChunkBody body) {
        int chunks = chunkCount(n, grain);
        if (chunks == 0) {
            return;
        }
        Pool p = pool;
        Thread me = Thread.currentThread();
        if (chunks == 1 || p.size == 1 || me instanceof Worker || me == p.activeOwner) {
            for (int c = 0; c < chunks; c++) {
                body.run(c, c * grain, Math.min(n, (c + 1) * grain));
            }
            return;
        }
        p.run(n, grain, chunks, body);
    }

    /** Like {@link #forChunks} with one item per chunk: {@code body.run(i, i, i + 1)} for each i. */
    public static void forEach(int n, ChunkBody body) {
        forChunks(n, 1, body);
    }

    private static int defaultThreads() {
        String s = System.getProperty("mtdtl.threads");
        if (s == null || s.isBlank()) {
            s = System.getenv("MTDTL_THREADS");
        }
        if (s != null && !s.isBlank()) {
            try {
                int n = Integer.parseInt(s.trim());
                if (n >= 1 && n <= MAX_THREADS) {
                    return n;
                }
            } catch (NumberFormatException e) {
                // fall through to the processor count; a bad value must not stop the engine
            }
            System.err.println("mtdtl: ignoring invalid thread count '" + s + "'");
        }
        return Math.max(1, Runtime.getRuntime().availableProcessors());
    }

    private static final class Worker extends Thread {
        Worker(Runnable r, String name) {
            super(r, name);
            setDaemon(true);
        }
    }

    /**
     * A minimal fork-join: a job is published in a volatile field, the caller and the workers take chunks,
     * and the caller parks until every chunk is done. One job at a time (callers are serialised), which is
     * what a training loop needs.
     *
     * <p>Chunks go to threads by position first: participant p (the caller is 0, worker i is i) owns the
     * contiguous range [p*chunks/T, (p+1)*chunks/T) and works through it from its own counter; when its range
     * is done it helps the others from theirs (so a late or descheduled thread never stalls the job). Kernels
     * chunk over the same leading dimension layer after layer (batch items, channels), so a thread mostly
     * reads what it wrote in the previous op, from its own cache. With one shared counter instead, about half
     * of what a thread read had been written by the other core: a base-CNN step at batch 32 on 2 threads took
     * 161-170 ms of CPU against 124-143 with owned ranges (1 thread: 120), 87-95 against 71-80 ms wall
     * (bench/RESULTS.md, 2026-12-05). Which thread runs a chunk never changes its result (the determinism
     * contract above), so the bits are those of the shared counter.
     */
    private static final class Pool {
        final int size;
        private final Worker[] workers;
        private volatile Job job;
        private volatile boolean stopped;
        /** The thread that runs the current job (it takes part in it): a nested call from it runs serially. */
        volatile Thread activeOwner;
        /** The last job's number (jobs are numbered from 1; a worker remembers the number, never the job). */
        private long jobs;

        Pool(int size) {
            this.size = size;
            this.workers = new Worker[size - 1];
            for (int i = 0; i < workers.length; i++) {
                workers[i] = new Worker(this::loop, "mtdtl-cpu-" + (i + 1));
                workers[i].start();
            }
        }

        synchronized void run(int n, int grain, int chunks, ChunkBody body) {
            boolean counted = LoopStats.on;
            long opened = counted ? System.nanoTime() : 0;
            Job j = new Job(++jobs, n, grain, chunks, body, Thread.currentThread(), size, opened);
            activeOwner = j.owner;
            job = j;
            for (Worker w : workers) {
                LockSupport.unpark(w);
            }
            j.work(0);
            long ownDone = System.nanoTime();
            long spinUntil = ownDone + SPIN_NANOS;
            while (j.done.get() < chunks) {
                if (System.nanoTime() < spinUntil) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(this);
                }
            }
            if (counted) {
                LoopStats.loop(opened, ownDone, System.nanoTime());
            }
            job = null;
            activeOwner = null;
            if (j.failure != null) {
                Throwable t = j.failure;
                if (t instanceof RuntimeException re) {
                    throw re;
                }
                if (t instanceof Error er) {
                    throw er;
                }
                throw new RuntimeException(t);
            }
        }

        private void loop() {
            int me = 0;                   // this worker's participant number: 1 + its index
            for (int i = 0; i < workers.length; i++) {
                if (workers[i] == Thread.currentThread()) {
                    me = i + 1;
                }
            }
            long last = 0;                // the number of the last job this worker took part in
            long spinUntil = 0;
            while (!stopped) {
                long ran = takePart(me, last);
                if (ran == 0) {
                    if (System.nanoTime() < spinUntil) {
                        Thread.onSpinWait();
                    } else {
                        LockSupport.park(this);
                    }
                    continue;
                }
                last = ran;
                spinUntil = System.nanoTime() + SPIN_NANOS;
            }
        }

        /**
         * Work on the published job if this worker has not yet; returns its number, or 0 when there was none. The job is
         * referenced only in this frame: a worker that kept the last job to recognise it (as it once did) kept its body
         * and everything the body captured reachable until the next parallel loop, in prepare the tag source's whole
         * pLSA state (about 750 MB at the MSD's size) through the Taste Profile's read and EM (bench/RESULTS.md,
         * "Session 47").
         */
        private long takePart(int me, long last) {
            Job j = job;
            if (j == null || j.seq == last) {
                return 0;
            }
            if (j.opened != 0) {              // counted (LoopStats on when the loop opened)
                LoopStats.workerStart(System.nanoTime() - j.opened);
            }
            j.work(me);
            return j.seq;
        }

        void shutdown() {
            stopped = true;
            for (Worker w : workers) {
                LockSupport.unpark(w);
            }
        }
    }

    private static final class Job {
        final long seq;
        final int n;
        final int grain;
        final int chunks;
        final ChunkBody body;
        final Thread owner;
        /** Participant p's next chunk; its range ends at end[p]. */
        final AtomicInteger[] next;
        final int[] end;
        final AtomicInteger done = new AtomicInteger();
        volatile Throwable failure;
        /** When the caller opened the loop (System.nanoTime), 0 when {@link LoopStats} is off. */
        final long opened;

        Job(long seq, int n, int grain, int chunks, ChunkBody body, Thread owner, int parts, long opened) {
            this.seq = seq;
            this.n = n;
            this.grain = grain;
            this.chunks = chunks;
            this.body = body;
            this.owner = owner;
            this.opened = opened;
            this.next = new AtomicInteger[parts];
            this.end = new int[parts];
            for (int p = 0; p < parts; p++) {
                next[p] = new AtomicInteger((int) ((long) p * chunks / parts));
                end[p] = (int) ((long) (p + 1) * chunks / parts);
            }
        }

        /** Participant p: its own range first, then whatever is left of the others', in turn. */
        void work(int p) {
            int parts = next.length;
            for (int k = 0; k < parts; k++) {
                int q = (p + k) % parts;
                int c;
                while ((c = next[q].getAndIncrement()) < end[q]) {
                    try {
                        if (failure == null) {
                            body.run(c, c * grain, Math.min(n, (c + 1) * grain));
                        }
                    } catch (Throwable t) {
                        failure = t;
                    } finally {
                        if (done.incrementAndGet() == chunks) {
                            LockSupport.unpark(owner);
                        }
                    }
                }
            }
        }
    }
}

package dev.mtdtl.bench;

import dev.mtdtl.factor.Csr;
import dev.mtdtl.factor.Plsa;
import dev.mtdtl.factor.PlsaEm;
import dev.mtdtl.tensor.Parallel;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * One pLSA EM iteration (E and M, plus the log-likelihood) on 40,000 x 5,000 with 800k stored entries,
 * K = 50 (issue 4; the reference's time for this: 0.32 s). FLOPs: 3 N K multiply-adds = 6 N K.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 2, jvmArgs = {"-Xms2g", "-Xmx2g"}, jvmArgsAppend = {JvmFlags.VECTOR, JvmFlags.TRAPS})
public class PlsaBench {

    @Param({"40000"})
    int docs;
    @Param({"5000"})
    int terms;
    @Param({"800000"})
    int nnz;
    @Param({"50"})
    int topics;
    /** 0: the pool's default (all cores). */
    @Param({"0"})
    int threads;

    PlsaEm model;

    @Setup
    public void setup() {
        if (threads > 0) {
            Parallel.setThreads(threads);
        }
        Csr m = FactorData.counts(docs, terms, nnz, 42);
        model = Plsa.model(m, topics, 1);
        double l0 = model.iterate();
        double l1 = model.iterate();
        if (!(l1 >= l0)) {   // validate once: EM ascends
            throw new IllegalStateException("log-likelihood fell: " + l0 + " -> " + l1);
        }
    }

    @Benchmark
    public double emIteration() {
        return model.iterate();
    }
}

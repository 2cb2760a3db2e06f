package dev.mtdtl.bench;

import dev.mtdtl.dsp.Audio;
import dev.mtdtl.dsp.LaneFft;
import dev.mtdtl.dsp.MelConfig;
import dev.mtdtl.dsp.MelSpectrogram;
import dev.mtdtl.dsp.Mfcc;
import dev.mtdtl.dsp.MfccBaseline;
import dev.mtdtl.dsp.Resampler;
import dev.mtdtl.dsp.Stft;
import dev.mtdtl.tensor.Parallel;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.jtransforms.fft.FloatFFT_1D;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * The DSP front end on the paper's workload: one 30 s stereo clip (22050 Hz, 661,500 samples per
 * channel, T = 2,584 frames). Reports seconds per clip; clips/s = 1 / score and the real-time factor
 * = 30 s / score.
 *
 * <ul>
 *   <li>{@code dbMel}: audio (2, N) to dB-mel (2, T, 128), the paper's settings (reflect pad, power,
 *       Slaney, top_db 80). Work: 5,168 1024-point real FFTs (~25 kflop each), ~1.1k mel MACs and
 *       128 log10 per frame; reads 5.3 MB, writes 2.6 MB.</li>
 *   <li>{@code mfccFromDbMel}: the 120-d MFCC baseline from a ready dB-mel (channel mean, 20 x 128 DCT
 *       per frame, plain deltas, mean/std).</li>
 *   <li>{@code resample44k}: 30 s stereo 44.1 kHz to 22.05 kHz, HQ (272 taps per output sample).</li>
 *   <li>{@code fftLanes} / {@code fftJTransforms}: only the clip's 5,168 1024-point real FFTs and
 *       |X|^2, single-threaded, from frames already in each one's layout: the lane-parallel
 *       {@link LaneFft} (646 groups of 8 frames; per group 5 passes over 32 KB read and written, then the
 *       real split) against JTransforms' scalar {@code realForward}, frame by frame. ~2.5 N log2 N =
 *       25.6 kflop per FFT, 132 Mflop per clip: Mflop/s = 132 / score(ms) x 1000.</li>
 *   <li>{@code copyBaseline}: copying the input clip, the memory-traffic floor.</li>
 * </ul>
 * {@code threads}: the size of the engine's pool ({@link Parallel#setThreads}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgs = {"-Xms2g", "-Xmx2g", JvmFlags.VECTOR, JvmFlags.TRAPS})
public class MelBench {

    private static final int SR = 22050;
    private static final int N = 30 * SR;

    @Param({"1", "2"})
    public int threads;

    private float[] audio;     // (2, N) at 22050 Hz
    private float[] audio44;   // (2, 2N) at 44100 Hz
    private float[] out;       // (2, T, 128)
    private float[] dbMel;     // (2, T, 128), computed once
    private float[] copy;
    private MelSpectrogram mel;
    private Resampler resampler;
    private int frames;
    private LaneFft lanes;
    private FloatFFT_1D jt;
    private float[] laneRe;    // (512, L) one group of frames, bit-reversed lane layout
    private float[] laneIm;
    private float[] re;
    private float[] im;
    private float[] pw;        // (513, L)
    private float[] buf;       // (1024)

    @Setup
    public void setup() {
        Parallel.setThreads(threads);
        audio = clip(SR, N, 1234);
        audio44 = clip(2 * SR, 2 * N, 4321);
        mel = new MelSpectrogram(MelConfig.paper());
        frames = mel.frames(N);
        out = new float[2 * frames * 128];
        dbMel = new float[out.length];
        mel.dbMel(dbMel, audio, 2, N);
        copy = new float[audio.length];
        lanes = new LaneFft(1024);
        jt = new FloatFFT_1D(1024);
        int l = LaneFft.L;
        laneRe = new float[512 * l];
        laneIm = new float[512 * l];
        for (int j = 0; j < l; j++) {
            for (int p = 0; p < 512; p++) {
                laneRe[lanes.bitReversed(p) * l + j] = audio[j * 1024 + 2 * p];
                laneIm[lanes.bitReversed(p) * l + j] = audio[j * 1024 + 2 * p + 1];
            }
        }
        re = new float[512 * l];
        im = new float[512 * l];
        pw = new float[513 * l];
        buf = new float[1024];
        resampler = new Resampler(2 * SR, SR);
        float mx = Float.NEGATIVE_INFINITY;
        for (float v : dbMel) {
            mx = Math.max(mx, v);
        }
        if (frames != 2584 || !(mx > -20 && mx < 80)) {
            throw new IllegalStateException("unexpected dB-mel: frames " + frames + ", max " + mx);
        }
    }

    /** Music-like test clip: a few partials, a sweep and noise, per channel, seeded. */
    static float[] clip(int rate, int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[2 * n];
        for (int c = 0; c < 2; c++) {
            double f0 = 110 * (c + 2);
            for (int i = 0; i < n; i++) {
                double t = (double) i / rate;
                double v = 0.3 * Math.sin(2 * Math.PI * f0 * t) + 0.1 * Math.sin(2 * Math.PI * 3.01 * f0 * t)
                        + 0.05 * Math.sin(2 * Math.PI * (200 + 150 * t) * t) + 0.01 * r.nextGaussian();
                x[c * n + i] = (float) v;
            }
        }
        return x;
    }

    @Benchmark
    public float[] dbMel() {
        mel.dbMel(out, audio, 2, N);
        return out;
    }

    @Benchmark
    public float[] mfccFromDbMel() {
        return MfccBaseline.compute(dbMel, 2, frames, Mfcc.paper(), MfccBaseline.DeltaKind.DIFF,
                MfccBaseline.Order.PER_FEATURE);
    }

    @Benchmark
    public Audio resample44k() {
        return resampler.resample(new Audio(audio44, 2, 2 * N, 2 * SR));
    }

    @Benchmark
    public float[] fftLanes() {
        int l = LaneFft.L;
        for (int g = 0; g < 2 * frames / l; g++) {
            System.arraycopy(laneRe, 0, re, 0, re.length);   // the transform is in place: start from the frames
            System.arraycopy(laneIm, 0, im, 0, im.length);
            lanes.transform(re, im);
            lanes.power(pw, re, im, 2);
        }
        return pw;
    }

    @Benchmark
    public float[] fftJTransforms() {
        for (int f = 0; f < 2 * frames; f++) {
            System.arraycopy(audio, (f % 8) * 1024, buf, 0, 1024);
            jt.realForward(buf);
            Stft.power(pw, 0, buf, 1024);
        }
        return pw;
    }

    @Benchmark
    public void copyBaseline(Blackhole bh) {
        System.arraycopy(audio, 0, copy, 0, audio.length);
        bh.consume(copy);
    }
}

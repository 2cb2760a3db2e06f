package dev.mtdtl.dsp;

import dev.mtdtl.tensor.io.Npy;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The engine's answers to the golden fixture cases {@code dsp_audio}, {@code dsp_stft},
 * {@code dsp_mel_filters}, {@code dsp_melspec}, {@code dsp_mfcc} and {@code dsp_resample}, for the
 * conformance runner ({@code ./mtdtl fixtures}): {@link #compute} reads a case's inputs from the
 * fixtures folder and returns every output named in the manifest, in the manifest's shape and layout
 * (librosa's [channel, freq, frame], not the CNN's), as doubles (int outputs exactly). The runner
 * compares them with the references under the manifest's tolerances.
 *
 * <p>Settings are the fixtures' own (manifest params): librosa 0.11 defaults, i.e. constant padding
 * and no top_db for dsp_melspec; the reflect variant only for stft_mag_reflect_edges.
 */
public final class DspFixtures {

    private static final int K = 513;
    private static final int M = 128;

    private DspFixtures() {}

    /** Outputs of fixture case {@code name}, keyed by the manifest's output names. */
    public static Map<String, double[]> compute(String name, Path fixtures) throws IOException {
        Map<String, double[]> out = new LinkedHashMap<>();
        switch (name) {
            case "dsp_audio" -> out.put("decoded_audio", toDouble(decode(fixtures, "dsp_audio/audio.wav").samples()));
            case "dsp_stft" -> {
                Audio a = decode(fixtures, "dsp_audio/audio.wav");
                int t = 1 + a.frames() / 256;
                out.put("stft_mag_constant", toDouble(stftMagnitude(a, Stft.PadMode.CONSTANT, null)));
                int[] idx = {0, 1, 2, t - 3, t - 2, t - 1};   // frames touching the padding, and neighbours
                out.put("reflect_frame_index", toDouble(idx));
                out.put("stft_mag_reflect_edges", toDouble(stftMagnitude(a, Stft.PadMode.REFLECT, idx)));
            }
            case "dsp_mel_filters" -> {
                out.put("mel_fb_slaney", MelFilterbank.paper().dense());
                out.put("mel_fb_htk", new MelFilterbank(22050, 1024, 128, 0, 11025, MelFilterbank.Scale.HTK, true)
                        .dense());
            }
            case "dsp_melspec" -> {
                Audio a = decode(fixtures, "dsp_audio/audio.wav");
                MelConfig base = MelConfig.paper().withPadMode(Stft.PadMode.CONSTANT).withTopDb(Double.POSITIVE_INFINITY);
                out.put("mel_power2", toDouble(melLibrosaLayout(a, base.withPower(2), false)));
                out.put("mel_power1", toDouble(melLibrosaLayout(a, base.withPower(1), false)));
                out.put("mel_power2_db", toDouble(melLibrosaLayout(a, base.withPower(2), true)));
                out.put("mel_power1_db", toDouble(melLibrosaLayout(a, base.withPower(1), true)));
            }
            case "dsp_mfcc" -> out.putAll(mfcc(Npy.read(fixtures.resolve("dsp_melspec/mel_power2_db_f64.npy"))));
            case "dsp_resample" -> {
                Audio a = decode(fixtures, "dsp_resample/audio44k.wav");
                out.put("resampled", toDouble(new Resampler(44100, 22050).resample(a).samples()));
            }
            default -> throw new IllegalArgumentException("not a DSP fixture case: " + name);
        }
        return out;
    }

    private static Audio decode(Path fixtures, String rel) throws IOException {
        return AudioDecoder.decode(fixtures.resolve(rel));
    }

    /** |X| per channel, layout (C, K, F) where F = the selected frames (all when idx is null). */
    private static float[] stftMagnitude(Audio a, Stft.PadMode pad, int[] idx) {
        Stft s = new Stft(1024, 256, pad);
        int n = a.frames();
        int t = s.frames(n);
        int[] sel = idx != null ? idx : java.util.stream.IntStream.range(0, t).toArray();
        float[] out = new float[a.channels() * K * sel.length];
        float[] spec = new float[t * K];
        for (int c = 0; c < a.channels(); c++) {
            s.spectrogram(spec, a.samples(), a.offset(c), n, 1);
            for (int j = 0; j < sel.length; j++) {
                for (int k = 0; k < K; k++) {
                    out[(c * K + k) * sel.length + j] = spec[sel[j] * K + k];
                }
            }
        }
        return out;
    }

    /** Mel or dB-mel in librosa layout (C, M, T). */
    private static float[] melLibrosaLayout(Audio a, MelConfig cfg, boolean db) {
        MelSpectrogram ms = new MelSpectrogram(cfg);
        int t = ms.frames(a.frames());
        float[] cnn = new float[a.channels() * t * M];
        if (db) {
            ms.dbMel(cnn, a.samples(), a.channels(), a.frames());
        } else {
            ms.mel(cnn, a.samples(), a.channels(), a.frames());
        }
        return transpose(cnn, a.channels(), t, M);
    }

    /** dsp_mfcc: input (C, M, T) dB-mel; outputs mfcc/delta1/delta2 (C, 20, T) and aggregate120 (C, 120). */
    private static Map<String, double[]> mfcc(Npy.Array in) {
        int c = in.shape()[0];
        int t = in.shape()[2];
        float[] db = transpose(in.toFloat(), c, M, t);   // (C, T, M)
        Mfcc mfcc = Mfcc.paper();
        int d = mfcc.nMfcc();
        float[] x = new float[c * t * d];
        float[] d1 = new float[c * t * d];
        float[] d2 = new float[c * t * d];
        float[] agg = new float[c * 120];
        for (int ch = 0; ch < c; ch++) {
            int o = ch * t * d;
            float[] xc = new float[t * d];
            mfcc.apply(xc, 0, db, ch * t * M, t);
            System.arraycopy(xc, 0, x, o, t * d);
            float[] tmp = new float[t * d];
            Deltas.savgol(tmp, xc, t, d, 9, 1);
            System.arraycopy(tmp, 0, d1, o, t * d);
            Deltas.savgol(tmp, xc, t, d, 9, 2);
            System.arraycopy(tmp, 0, d2, o, t * d);
            MfccBaseline.aggregate(agg, ch * 120, db, ch * t * M, t, mfcc, MfccBaseline.DeltaKind.SAVGOL9,
                    MfccBaseline.Order.MEANS_THEN_STDS);
        }
        Map<String, double[]> out = new LinkedHashMap<>();
        out.put("mfcc", toDouble(transpose(x, c, t, d)));
        out.put("delta1", toDouble(transpose(d1, c, t, d)));
        out.put("delta2", toDouble(transpose(d2, c, t, d)));
        out.put("aggregate120", toDouble(agg));
        return out;
    }

    /** (C, A, B) to (C, B, A). */
    static float[] transpose(float[] x, int c, int a, int b) {
        float[] y = new float[x.length];
        for (int ch = 0; ch < c; ch++) {
            int o = ch * a * b;
            for (int i = 0; i < a; i++) {
                for (int j = 0; j < b; j++) {
                    y[o + j * a + i] = x[o + i * b + j];
                }
            }
        }
        return y;
    }

    private static double[] toDouble(float[] x) {
        double[] d = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            d[i] = x[i];
        }
        return d;
    }

    private static double[] toDouble(int[] x) {
        double[] d = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            d[i] = x[i];
        }
        return d;
    }
}

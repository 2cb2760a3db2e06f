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

    private DspFixtures() {}

    /**
     * Outputs of fixture case {@code name}, keyed by the manifest's output names.
     *
     * @param inputs the case's input files by input name (resolved paths)
     * @param params the case's parameters (numbers as {@link Number}); absent ones take the paper's values
     */
    public static Map<String, double[]> compute(String name, Map<String, Path> inputs, Map<String, Object> params)
            throws IOException {
        int sr = num(params, "sr", num(params, "sample_rate", 22050));
        int nFft = num(params, "n_fft", 1024);
        int hop = num(params, "hop_length", 256);
        int nMels = num(params, "n_mels", 128);
        double fmin = dnum(params, "fmin", 0.0);
        double fmax = dnum(params, "fmax", sr / 2.0);
        MelConfig paper = MelConfig.paper();
        MelConfig base = new MelConfig(sr, nFft, hop, nMels, fmin, fmax, Stft.PadMode.CONSTANT, paper.scale(),
                paper.slaneyNorm(), 2, paper.amin(), Double.POSITIVE_INFINITY);
        Map<String, double[]> out = new LinkedHashMap<>();
        switch (name) {
            case "dsp_audio" -> out.put("decoded_audio", toDouble(AudioDecoder.decode(input(inputs, "audio_wav", name))
                    .samples()));
            case "dsp_stft" -> {
                Npy.Array a = Npy.read(input(inputs, "audio", name));
                int c = a.shape()[0];
                int n = a.shape()[1];
                float[] x = a.toFloat();
                int t = 1 + n / hop;
                int k = nFft / 2 + 1;
                out.put("stft_mag_constant", toDouble(stftMagnitude(x, c, n, nFft, hop, Stft.PadMode.CONSTANT, null, k)));
                int[] idx = {0, 1, 2, t - 3, t - 2, t - 1};   // frames touching the padding, and neighbours
                out.put("reflect_frame_index", toDouble(idx));
                out.put("stft_mag_reflect_edges", toDouble(stftMagnitude(x, c, n, nFft, hop, Stft.PadMode.REFLECT, idx, k)));
            }
            case "dsp_mel_filters" -> {
                out.put("mel_fb_slaney", new MelFilterbank(sr, nFft, nMels, fmin, fmax, MelFilterbank.Scale.SLANEY, true)
                        .dense());
                out.put("mel_fb_htk", new MelFilterbank(sr, nFft, nMels, fmin, fmax, MelFilterbank.Scale.HTK, true)
                        .dense());
            }
            case "dsp_melspec" -> {
                Npy.Array a = Npy.read(input(inputs, "audio", name));
                int c = a.shape()[0];
                int n = a.shape()[1];
                float[] x = a.toFloat();
                out.put("mel_power2", toDouble(melLibrosaLayout(x, c, n, base.withPower(2), false)));
                out.put("mel_power1", toDouble(melLibrosaLayout(x, c, n, base.withPower(1), false)));
                out.put("mel_power2_db", toDouble(melLibrosaLayout(x, c, n, base.withPower(2), true)));
                out.put("mel_power1_db", toDouble(melLibrosaLayout(x, c, n, base.withPower(1), true)));
            }
            case "dsp_mfcc" -> out.putAll(mfcc(Npy.read(input(inputs, "mel_power2_db", name)), num(params, "n_mfcc", 20),
                    num(params, "delta_width", 9)));
            case "dsp_resample" -> {
                Audio a = AudioDecoder.decode(input(inputs, "audio44k_wav", name));
                int from = num(params, "orig_sr", a.sampleRate());
                int to = num(params, "target_sr", 22050);
                out.put("resampled", toDouble(new Resampler(from, to).resample(a).samples()));
            }
            default -> throw new IllegalArgumentException("not a DSP fixture case: " + name);
        }
        return out;
    }

    private static Path input(Map<String, Path> inputs, String key, String name) throws IOException {
        Path p = inputs.get(key);
        if (p == null) {
            throw new IOException("case " + name + " has no input '" + key + "' (have " + inputs.keySet() + ")");
        }
        return p;
    }

    private static int num(Map<String, Object> params, String key, int dflt) {
        return params.get(key) instanceof Number v ? v.intValue() : dflt;
    }

    private static double dnum(Map<String, Object> params, String key, double dflt) {
        return params.get(key) instanceof Number v ? v.doubleValue() : dflt;
    }

    /** |X| per channel of planar audio x (C, N), layout (C, K, F) where F = the selected frames (all when idx is null). */
    private static float[] stftMagnitude(float[] x, int channels, int n, int nFft, int hop, Stft.PadMode pad, int[] idx,
                                         int k2) {
        final int K = k2;
        Stft s = new Stft(nFft, hop, pad);
        int t = s.frames(n);
        int[] sel = idx != null ? idx : java.util.stream.IntStream.range(0, t).toArray();
        float[] out = new float[channels * K * sel.length];
        float[] spec = new float[t * K];
        for (int c = 0; c < channels; c++) {
            s.spectrogram(spec, x, c * n, n, 1);
            for (int j = 0; j < sel.length; j++) {
                for (int k = 0; k < K; k++) {
                    out[(c * K + k) * sel.length + j] = spec[sel[j] * K + k];
                }
            }
        }
        return out;
    }

    /** Mel or dB-mel of planar audio x (C, N) in librosa layout (C, M, T). */
    private static float[] melLibrosaLayout(float[] x, int channels, int n, MelConfig cfg, boolean db) {
        MelSpectrogram ms = new MelSpectrogram(cfg);
        int t = ms.frames(n);
        int m = cfg.nMels();
        float[] cnn = new float[channels * t * m];
        if (db) {
            ms.dbMel(cnn, x, channels, n);
        } else {
            ms.mel(cnn, x, channels, n);
        }
        return transpose(cnn, channels, t, m);
    }

    /** dsp_mfcc: input (C, M, T) dB-mel; outputs mfcc/delta1/delta2 (C, D, T) and aggregate (C, 6D). */
    private static Map<String, double[]> mfcc(Npy.Array in, int nMfcc, int width) {
        int c = in.shape()[0];
        int M = in.shape()[1];
        int t = in.shape()[2];
        float[] db = transpose(in.toFloat(), c, M, t);   // (C, T, M)
        if (width != 9) {
            throw new IllegalArgumentException("the 120-d aggregate uses librosa's width-9 delta; case asks for width "
                    + width);
        }
        Mfcc mfcc = new Mfcc(M, nMfcc);
        int d = mfcc.nMfcc();
        float[] x = new float[c * t * d];
        float[] d1 = new float[c * t * d];
        float[] d2 = new float[c * t * d];
        float[] agg = new float[c * 6 * d];
        for (int ch = 0; ch < c; ch++) {
            int o = ch * t * d;
            float[] xc = new float[t * d];
            mfcc.apply(xc, 0, db, ch * t * M, t);
            System.arraycopy(xc, 0, x, o, t * d);
            float[] tmp = new float[t * d];
            Deltas.savgol(tmp, xc, t, d, width, 1);
            System.arraycopy(tmp, 0, d1, o, t * d);
            Deltas.savgol(tmp, xc, t, d, width, 2);
            System.arraycopy(tmp, 0, d2, o, t * d);
            MfccBaseline.aggregate(agg, ch * 6 * d, db, ch * t * M, t, mfcc, MfccBaseline.DeltaKind.SAVGOL9,
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

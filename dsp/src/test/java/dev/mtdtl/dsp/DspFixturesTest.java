package dev.mtdtl.dsp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.mtdtl.tensor.test.Close;
import dev.mtdtl.tensor.test.Fixtures;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The conformance runner's entry point ({@link DspFixtures#compute}) on every DSP case and output,
 * with the manifest's comparison and tolerance for each.
 */
class DspFixturesTest {

    /** The case's inputs and parameters as the manifest gives them, then the engine's outputs. */
    @SuppressWarnings("unchecked")
    private static Map<String, double[]> run(String name) throws IOException {
        java.nio.file.Path dir = Fixtures.dir();
        Map<String, Object> m = dev.mtdtl.tensor.io.Json.parseObject(
                java.nio.file.Files.readString(dir.resolve("manifest.json")), "manifest.json");
        for (Object o : (java.util.List<Object>) m.get("cases")) {
            Map<String, Object> c = (Map<String, Object>) o;
            if (c.get("name").equals(name)) {
                Map<String, java.nio.file.Path> inputs = new java.util.LinkedHashMap<>();
                for (Object i : (java.util.List<Object>) c.get("inputs")) {
                    Map<String, Object> in = (Map<String, Object>) i;
                    inputs.put((String) in.get("name"), dir.resolve((String) in.get("file")));
                }
                return DspFixtures.compute(name, inputs, (Map<String, Object>) c.get("params"));
            }
        }
        throw new IOException("no case " + name);
    }

    private static void relL2(Map<String, double[]> out, String name, String ref, double tol) {
        double[] got = out.get(name);
        double[] r = Fixtures.f64(ref);
        assertEquals(r.length, got.length, name + " length");
        double e = Close.relL2(r, got);
        System.out.printf("%-24s rel L2 %.3g (tol %.0e)%n", name, e, tol);
        Close.assertRelL2(r, got, tol, name);
    }

    @Test
    void everyDspCaseMatches() throws IOException {
        Map<String, double[]> audio = run("dsp_audio");
        float[] dec = new float[audio.get("decoded_audio").length];
        for (int i = 0; i < dec.length; i++) {
            dec[i] = (float) audio.get("decoded_audio")[i];
        }
        Close.assertExact(Fixtures.f32("dsp_audio/audio.npy"), dec, "decoded_audio");

        Map<String, double[]> stft = run("dsp_stft");
        relL2(stft, "stft_mag_constant", "dsp_stft/stft_mag_constant_f64.npy", 1e-5);
        int[] idx = Fixtures.npy("dsp_stft/reflect_frame_index.npy").toInt();
        for (int j = 0; j < idx.length; j++) {
            assertEquals(idx[j], stft.get("reflect_frame_index")[j], 0.0);
        }
        relL2(stft, "stft_mag_reflect_edges", "dsp_stft/stft_mag_reflect_edges_f64.npy", 1e-5);

        Map<String, double[]> fb = run("dsp_mel_filters");
        relL2(fb, "mel_fb_slaney", "dsp_mel_filters/mel_fb_slaney_f64.npy", 1e-5);
        relL2(fb, "mel_fb_htk", "dsp_mel_filters/mel_fb_htk_f64.npy", 1e-5);

        Map<String, double[]> mel = run("dsp_melspec");
        for (String k : new String[] {"mel_power2", "mel_power1", "mel_power2_db", "mel_power1_db"}) {
            relL2(mel, k, "dsp_melspec/" + k + "_f64.npy", 1e-5);
        }

        Map<String, double[]> mf = run("dsp_mfcc");
        relL2(mf, "mfcc", "dsp_mfcc/mfcc_f64.npy", 1e-5);
        relL2(mf, "delta1", "dsp_mfcc/delta1_f64.npy", 1e-5);
        relL2(mf, "delta2", "dsp_mfcc/delta2_f64.npy", 2e-5);
        relL2(mf, "aggregate120", "dsp_mfcc/aggregate120_f64.npy", 1e-5);

        Map<String, double[]> rs = run("dsp_resample");
        double[] ref = Fixtures.f64("dsp_resample/resampled_f64.npy");
        double[] got = rs.get("resampled");
        int n = 66150;
        double[] ri = new double[2 * (n - 128)];
        double[] gi = new double[ri.length];
        for (int c = 0; c < 2; c++) {
            System.arraycopy(ref, c * n + 64, ri, c * (n - 128), n - 128);
            System.arraycopy(got, c * n + 64, gi, c * (n - 128), n - 128);
        }
        System.out.printf("%-24s rel L2 %.3g on [:, 64:-64] (tol_independent 1e-2; same-algorithm tol 1e-5 "
                + "not applicable)%n", "resampled", Close.relL2(ri, gi));
        Close.assertRelL2(ri, gi, 1e-2, "resampled interior");
    }
}

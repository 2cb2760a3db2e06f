package dev.mtdtl.cli.conformance;

import dev.mtdtl.dsp.DspFixtures;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The DSP families (dsp_audio, dsp_stft, dsp_mel_filters, dsp_melspec, dsp_mfcc, dsp_resample): the
 * case's input files and parameters go to {@link DspFixtures}, which runs the dsp module on them.
 *
 * <p>The resampling case references one specific resampler (libsoxr HQ); its manifest entry gives a
 * second, looser tolerance for an independent resampler on the interior of the signal, which is the
 * one that applies to ours. {@link Runner} reads {@code tol_independent} and its region from the
 * manifest; see {@link Manifest.Output}.
 */
final class DspFamily implements Family {

    private static final java.util.Set<String> CASES = java.util.Set.of("dsp_audio", "dsp_stft", "dsp_mel_filters",
            "dsp_melspec", "dsp_mfcc", "dsp_resample");

    @Override
    public String name() {
        return "dsp";
    }

    @Override
    public boolean accepts(Manifest.Case c) {
        return CASES.contains(c.name());
    }

    @Override
    public Map<String, double[]> compute(Manifest.Case c) throws Exception {
        Map<String, Path> inputs = new LinkedHashMap<>();
        for (Manifest.Input in : c.inputs()) {
            inputs.put(in.name(), c.dir().resolve(in.file()));
        }
        try {
            return DspFixtures.compute(c.name(), inputs, c.params());
        } catch (IllegalArgumentException e) {
            throw new Unsupported(e.getMessage());
        }
    }

    static List<Family> all() {
        return List.of(new DspFamily());
    }
}

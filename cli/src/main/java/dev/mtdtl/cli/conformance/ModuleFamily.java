package dev.mtdtl.cli.conformance;

import dev.mtdtl.dsp.DspFixtures;
import dev.mtdtl.eval.EvalFixtures;
import dev.mtdtl.factor.FactorFixtures;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Families whose module computes a case from its input files and parameters, by case name:
 * the DSP cases ({@link DspFixtures}: dsp_audio, dsp_stft, dsp_mel_filters, dsp_melspec, dsp_mfcc,
 * dsp_resample) and the factor-model and ranking cases ({@link FactorFixtures}: gmm1d_fit, gmm1d_eval,
 * tfidf, metrics_ndcg) and the classification/regression metrics ({@link EvalFixtures}: metrics_accuracy,
 * metrics_r2). An argument the module refuses is reported as unsupported.
 *
 * <p>The resampling case references one specific resampler (libsoxr HQ); its manifest entry gives a
 * looser tolerance for an independent resampler on the interior of the signal, which is the one that
 * applies to ours: {@link Runner} reads it from the manifest ({@link Manifest.Output#tolIndependent}).
 */
final class ModuleFamily implements Family {

    /** A module's entry point: case name, input files by input name, parameters -> outputs. */
    interface Compute {
        Map<String, double[]> apply(String name, Map<String, Path> inputs, Map<String, Object> params) throws Exception;
    }

    private final String name;
    private final Set<String> cases;
    private final Compute compute;

    ModuleFamily(String name, Set<String> cases, Compute compute) {
        this.name = name;
        this.cases = cases;
        this.compute = compute;
    }

    static List<Family> all() {
        return List.of(
                new ModuleFamily("dsp", Set.of("dsp_audio", "dsp_stft", "dsp_mel_filters", "dsp_melspec", "dsp_mfcc",
                        "dsp_resample"), DspFixtures::compute),
                new ModuleFamily("factor", Set.copyOf(FactorFixtures.CASES), FactorFixtures::compute),
                new ModuleFamily("metrics", Set.copyOf(EvalFixtures.CASES), EvalFixtures::compute));
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean accepts(Manifest.Case c) {
        return cases.contains(c.name());
    }

    @Override
    public Map<String, double[]> compute(Manifest.Case c) throws Exception {
        Map<String, Path> inputs = new LinkedHashMap<>();
        for (Manifest.Input in : c.inputs()) {
            inputs.put(in.name(), c.dir().resolve(in.file()));
        }
        try {
            return compute.apply(c.name(), inputs, c.params());
        } catch (IllegalArgumentException e) {
            throw new Unsupported(e.getMessage());
        }
    }
}

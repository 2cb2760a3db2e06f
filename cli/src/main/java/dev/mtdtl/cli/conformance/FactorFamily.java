package dev.mtdtl.cli.conformance;

import dev.mtdtl.factor.FactorFixtures;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The factor-model and ranking families (gmm1d_fit, gmm1d_eval, tfidf, metrics_ndcg): the case's
 * input files and parameters go to {@link FactorFixtures}, which runs the factor module on them.
 */
final class FactorFamily implements Family {

    @Override
    public String name() {
        return "factor";
    }

    @Override
    public boolean accepts(Manifest.Case c) {
        return FactorFixtures.CASES.contains(c.name());
    }

    @Override
    public Map<String, double[]> compute(Manifest.Case c) throws Exception {
        Map<String, Path> inputs = new LinkedHashMap<>();
        for (Manifest.Input in : c.inputs()) {
            inputs.put(in.name(), c.dir().resolve(in.file()));
        }
        try {
            return FactorFixtures.compute(c.name(), inputs, c.params());
        } catch (IllegalArgumentException e) {
            throw new Unsupported(e.getMessage());
        }
    }

    static List<Family> all() {
        return List.of(new FactorFamily());
    }
}

package dev.mtdtl.cli.conformance;

import java.util.Map;

/**
 * A family of fixture cases that one part of the engine implements (conv2d, batchnorm, cnn_train, ...).
 * {@link #compute} runs the engine on the case's inputs and parameters and returns every output it
 * produces, by the manifest's output names; the {@link Runner} compares them with the references.
 */
public interface Family {

    /** Short name printed in reports. */
    String name();

    /** True if this family handles the case (decided from the case name). */
    boolean accepts(Manifest.Case c);

    /**
     * Compute the outputs. Throw {@link Unsupported} when the case asks for something the engine does
     * not do (e.g. dilation 2): the runner reports it as a failure with that reason.
     */
    Map<String, double[]> compute(Manifest.Case c) throws Exception;

    /** A parameter combination the engine does not support. */
    final class Unsupported extends Exception {
        public Unsupported(String why) {
            super(why);
        }
    }
}

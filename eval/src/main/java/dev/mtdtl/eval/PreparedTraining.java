package dev.mtdtl.eval;

import dev.mtdtl.data.store.LearningData;
import dev.mtdtl.nn.BaseCnn;
import dev.mtdtl.nn.MultiSourceNet;
import dev.mtdtl.nn.Source;
import dev.mtdtl.nn.Strategy;
import dev.mtdtl.nn.TrainConfig;
import dev.mtdtl.nn.Trainer;
import dev.mtdtl.tensor.Device;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Algorithm 1 on a folder written by {@code mtdtl prepare}: the one wiring of a prepared folder, a strategy and
 * sources to a {@link Trainer} (the paper's network with K from the data's targets, the Siamese head's 128
 * hidden units, the network initialised from the config's seed). Used by {@code mtdtl train} and by the study
 * runner, so both train the same network the same way.
 */
public final class PreparedTraining {

    private PreparedTraining() {}

    /**
     * A trainer for {@code strategy} on {@code sources} from {@code prepared}, training on {@code device}; fails
     * with a message that lists the prepared sources when one of the run's factor sources has no targets there.
     */
    public static Trainer trainer(Path prepared, Strategy strategy, List<Source> sources, TrainConfig cfg,
                                  Device device) throws IOException {
        StoreTrainingData td = new StoreTrainingData(LearningData.open(prepared));
        td.requireSources(sources);
        MultiSourceNet net = new MultiSourceNet(strategy, sources, BaseCnn.Spec.paper(td.nOut()), 128, cfg.seed());
        return new Trainer(net, td, cfg, device);
    }
}

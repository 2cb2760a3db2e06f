package dev.mtdtl.data.synth;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The instrument task rendered with an installed General MIDI SF2 (skipped where none is installed,
 * as on CI): all 11 IRMAS classes, timbre learnable, tempo uninformative.
 */
class SynthCalibrationSf2Test {

    @Test
    void instrumentWithAnSf2Bank() throws Exception {
        assumeTrue(!Soundbanks.findInstalled().isEmpty(), "no SF2 soundbank installed");
        SynthCorpus.Plan plan = SynthCorpus.plan(new SynthConfig(7, 5, 2, 10, 1, 5, 8, 3, 5, 20, 2, List.of(), true));
        Dataset ins = plan.targets().stream().filter(d -> d.name.equals("instrument")).findFirst().orElseThrow();
        assertEquals(11, ins.classes.size());
        assertTrue(ins.songs.stream().noneMatch(s -> plan.banks().get(s.bank()).isEmergency()),
                "the instrument task must not use the emergency bank when an SF2 is installed");
        double[][] x = Calib.mfcc(ins, plan.banks());
        int[] y = Calib.classes(ins);
        int[] folds = Calib.folds(ins);
        double chance = 1.0 / 11;
        double mfcc = Calib.nearestCentroid(SynthCalibrationTest.columns(x, 0, 20), y, folds, 5);
        double tempo = Calib.knn(SynthCalibrationTest.tempo(ins), y, folds, 5, 3);
        SynthCalibrationTest.report("instrument (" + plan.bankNames().get(0) + "), MFCC-mean NC", mfcc, chance);
        SynthCalibrationTest.report("instrument (" + plan.bankNames().get(0) + "), tempo-only 3-NN", tempo, chance);
        assertTrue(mfcc >= chance + 0.2 && mfcc <= 0.97, "timbre learnable, not trivial: " + mfcc);
        assertTrue(tempo <= chance + 0.15, "tempo must not predict the instrument: " + tempo);
    }
}

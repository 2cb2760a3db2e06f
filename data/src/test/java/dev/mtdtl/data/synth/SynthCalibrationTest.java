package dev.mtdtl.data.synth;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Calibration: each target task of a tiny corpus (emergency soundbank only, as on CI) is neither trivial
 * nor impossible for cheap learners, and carries its label where the design says it should:
 * tempo alone is strong on the dance task and near chance on the instrument task, timbre (MFCC) is
 * informative for instrument and genre but not perfect, production and soundbank settings alone
 * predict nothing, and permuted labels give chance. Bounds are loose because the sets are tiny
 * (8 clips per class); the measured values are printed for docs/corpus.md.
 */
class SynthCalibrationTest {

    static SynthCorpus.Plan plan;
    static Dataset dance, instrument, genre, emotion;
    static double[][] danceX, instrumentX, genreX, emotionX;

    @BeforeAll
    static void render() throws Exception {
        SynthConfig cfg = new SynthConfig(7, 20, 6, 50, 8, 8, 10, 3, 60, 40, 20, List.of(), false);
        plan = SynthCorpus.plan(cfg);
        dance = find("dance");
        instrument = find("instrument");
        genre = find("genre");
        emotion = find("emotion");
        long t0 = System.nanoTime();
        danceX = Calib.mfcc(dance, plan.banks());
        instrumentX = Calib.mfcc(instrument, plan.banks());
        genreX = Calib.mfcc(genre, plan.banks());
        emotionX = Calib.mfcc(emotion, plan.banks());
        System.out.printf("calibration corpus rendered and analysed in %.1f s%n", (System.nanoTime() - t0) / 1e9);
    }

    static Dataset find(String name) {
        return plan.targets().stream().filter(d -> d.name.equals(name)).findFirst().orElseThrow();
    }

    static double[][] tempo(Dataset d) {
        return d.songs.stream().map(s -> new double[]{Math.log(s.tempo())}).toArray(double[][]::new);
    }

    static double[][] nuisance(Dataset d) {
        return d.songs.stream().map(Calib::nuisance).toArray(double[][]::new);
    }

    static double[][] columns(double[][] x, int from, int to) {
        double[][] m = new double[x.length][];
        for (int i = 0; i < x.length; i++) {
            m[i] = java.util.Arrays.copyOfRange(x[i], from, to);
        }
        return m;
    }

    static double[][] logColumn(double[][] x, int col) {
        double[][] m = new double[x.length][];
        for (int i = 0; i < x.length; i++) {
            m[i] = new double[]{Math.log(x[i][col])};
        }
        return m;
    }

    static void report(String what, double v, double chance) {
        System.out.printf("calibration: %-40s %.3f (chance %.3f)%n", what, v, chance);
    }

    @Test
    void danceIsTempoDominated() {
        int[] y = Calib.classes(dance);
        double chance = 1.0 / dance.classes.size();
        double tempoAcc = Calib.knn(tempo(dance), y, Calib.folds(dance), 5, 3);
        double mfccAcc = Calib.nearestCentroid(columns(danceX, 0, 120), y, Calib.folds(dance), 5);
        double audioTempo = Calib.knn(logColumn(danceX, 120), y, Calib.folds(dance), 5, 3);
        report("dance, tempo-only 3-NN", tempoAcc, chance);
        report("dance, audio-tempo estimate 3-NN", audioTempo, chance);
        report("dance, MFCC nearest centroid", mfccAcc, chance);
        assertTrue(audioTempo >= chance + 0.2, "tempo must be audible: " + audioTempo);
        assertTrue(tempoAcc >= 0.55 && tempoAcc <= 0.95, "tempo-only should be strong but not perfect: " + tempoAcc);
        // The dances share one percussion palette, so timbre statistics should not name the dance (generator
        // version 1 played each dance on its own percussion: 0.42 here; version 2: 0.33).
        assertTrue(mfccAcc <= chance + 0.25, "timbre should not carry the dance label: " + mfccAcc);
    }

    @Test
    void renderedTempoMatchesTheGroundTruth() {
        int hit = 0;
        for (int i = 0; i < dance.songs.size(); i++) {
            double r = danceX[i][120] / dance.songs.get(i).tempo();
            double oct = Math.abs(Math.log(r) / Math.log(2));                 // octave errors allowed
            if (Math.abs(oct - Math.rint(oct)) * Math.log(2) < 0.05) {
                hit++;
            }
        }
        double f = hit / (double) dance.songs.size();
        report("dance, audio tempo within 5% of truth (mod octave)", f, 0);
        assertTrue(f >= 0.6, "the audio should follow the planted tempo: " + f);
    }

    @Test
    void instrumentIsTimbreDominated() {
        int[] y = Calib.classes(instrument);
        double chance = 1.0 / instrument.classes.size();
        double tempoAcc = Calib.knn(tempo(instrument), y, Calib.folds(instrument), 5, 3);
        double audioTempo = Calib.knn(logColumn(instrumentX, 120), y, Calib.folds(instrument), 5, 3);
        report("instrument, audio-tempo estimate 3-NN", audioTempo, chance);
        assertTrue(audioTempo <= chance + 0.15, "audio tempo must not predict the instrument: " + audioTempo);
        // The 20 MFCC means: with 8 training clips per class the 120-d vector overfits.
        double mfccAcc = Calib.nearestCentroid(columns(instrumentX, 0, 20), y, Calib.folds(instrument), 5);
        report("instrument, tempo-only 3-NN", tempoAcc, chance);
        report("instrument, MFCC-mean nearest centroid", mfccAcc, chance);
        assertTrue(tempoAcc <= chance + 0.15, "tempo must not predict the instrument: " + tempoAcc);
        assertTrue(mfccAcc >= chance + 0.2, "timbre should be learnable: " + mfccAcc);
        assertTrue(mfccAcc <= 0.97, "instrument task should not be trivial: " + mfccAcc);
    }

    @Test
    void genreIsLearnableNotTrivial() {
        int[] y = Calib.classes(genre);
        double chance = 1.0 / genre.classes.size();
        double acc = Calib.nearestCentroid(columns(genreX, 0, 120), y, Calib.folds(genre), 5);
        report("genre, MFCC nearest centroid", acc, chance);
        assertTrue(acc >= chance + 0.15 && acc <= 0.95, "genre should be learnable, not trivial: " + acc);
    }

    @Test
    void productionAndSoundbankAlonePredictNothing() {
        for (Dataset d : List.of(dance, instrument, genre)) {
            int[] y = Calib.classes(d);
            double chance = 1.0 / d.classes.size();
            double acc = Calib.knn(nuisance(d), y, Calib.folds(d), 5, 5);
            report(d.name + ", production+soundbank 5-NN", acc, chance);
            assertTrue(acc <= chance + 0.15, d.name + ": production settings predict the label: " + acc);
        }
    }

    @Test
    void permutedLabelsGiveChance() {
        int[] y = Calib.classes(instrument);
        int[] p = y.clone();
        dev.mtdtl.tensor.Rng r = new dev.mtdtl.tensor.Rng(3);
        for (int i = p.length - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        double chance = 1.0 / instrument.classes.size();
        double acc = Calib.nearestCentroid(columns(instrumentX, 0, 120), p, Calib.folds(instrument), 5);
        report("instrument, permuted labels", acc, chance);
        assertTrue(acc <= chance + 0.15, "the evaluator leaks: " + acc);
    }

    @Test
    void arousalIsEasierThanValence() {
        double[] a = new double[emotion.songs.size()], v = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            String[] l = emotion.labels.get(emotion.songs.get(i).id());
            a[i] = Double.parseDouble(l[0]);
            v[i] = Double.parseDouble(l[1]);
        }
        int[] folds = Calib.folds(emotion);
        // Energy descriptors from the MFCC baseline (60 clips are too few for 120-d ridge): mean and std of
        // c0 (level, dynamics), mean of c1 (spectral slope), std of delta-c0 (onset strength).
        double[][] x = new double[a.length][];
        for (int i = 0; i < a.length; i++) {
            x[i] = new double[]{emotionX[i][0], emotionX[i][1], emotionX[i][20], emotionX[i][60]};
        }
        double ra = Calib.ridgeR2(x, a, folds, 5, 1);
        double rv = Calib.ridgeR2(x, v, folds, 5, 1);
        report("emotion, arousal R^2 (energy ridge)", ra, 0);
        report("emotion, valence R^2 (energy ridge)", rv, 0);
        assertTrue(ra > 0.2 && ra < 0.95, "arousal should be learnable from audio: " + ra);
        assertTrue(rv < ra, "valence should be harder than arousal: " + rv + " vs " + ra);
    }
}

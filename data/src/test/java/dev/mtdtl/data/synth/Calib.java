package dev.mtdtl.data.synth;

import dev.mtdtl.dsp.Audio;
import dev.mtdtl.dsp.MelConfig;
import dev.mtdtl.dsp.MelSpectrogram;
import dev.mtdtl.dsp.MfccBaseline;
import dev.mtdtl.tensor.Parallel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;

/**
 * Cheap learners for the calibration tests: the paper's MFCC baseline (120-d) of rendered clips,
 * per-dimension standardisation, a nearest-centroid classifier, k-nearest neighbours, and ridge
 * regression, each scored by cross-validation over the dataset's folds (the statistics of each
 * training part only). Double precision, no randomness beyond the folds.
 */
final class Calib {

    private Calib() {}

    /**
     * MFCC-baseline vectors of every clip of {@code d}, rendered in parallel (rows in song order),
     * with the audio tempo estimate appended as the last column.
     */
    static double[][] mfcc(Dataset d, List<Soundbanks.Bank> banks) {
        MelSpectrogram mel = new MelSpectrogram(MelConfig.paper());
        double[][] out = new double[d.songs.size()][];
        Parallel.forEach(d.songs.size(), (c, from, to) -> {
            try {
                float[] x = SynthCorpus.renderClip(d.songs.get(from), banks, d.seconds);
                Audio a = new Audio(x, 2, x.length / 2, Renderer.RATE);
                float[] db = mel.dbMel(a);
                float[] f = MfccBaseline.paper(db, 2, mel.frames(a.frames()), 128);
                double[] v = new double[f.length + 1];
                for (int i = 0; i < f.length; i++) {
                    v[i] = f[i];
                }
                v[f.length] = tempoFromAudio(db, 2, mel.frames(a.frames()), 128, Renderer.RATE / 256.0);
                out[from] = v;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        return out;
    }

    /**
     * Tempo estimated from audio: spectral flux of the dB-mel (both channels averaged, positive
     * differences summed over bands), its autocorrelation over lags of 40-240 BPM weighted towards
     * 120 BPM (a log-Gaussian prior, as in Ellis's beat tracker), the best lag in BPM. Octave errors
     * happen, as with real estimators.
     */
    static double tempoFromAudio(float[] db, int channels, int frames, int mels, double frameRate) {
        double[] flux = new double[frames];
        for (int t = 1; t < frames; t++) {
            double f = 0;
            for (int c = 0; c < channels; c++) {
                int o = c * frames * mels;
                for (int m = 0; m < mels; m++) {
                    double d = db[o + t * mels + m] - db[o + (t - 1) * mels + m];
                    if (d > 0) {
                        f += d;
                    }
                }
            }
            flux[t] = f;
        }
        double mean = Arrays.stream(flux).average().orElse(0);
        for (int t = 0; t < frames; t++) {
            flux[t] -= mean;
        }
        double best = -Double.MAX_VALUE, bpm = 120;
        for (int lag = (int) Math.floor(frameRate * 60 / 240); lag <= (int) Math.ceil(frameRate * 60 / 40); lag++) {
            double ac = 0;
            for (int t = lag; t < frames; t++) {
                ac += flux[t] * flux[t - lag];
            }
            double b = 60 * frameRate / lag;
            double w = Math.exp(-0.5 * Math.pow(Math.log(b / 120) / Math.log(2) / 1.0, 2));
            if (ac * w > best) {
                best = ac * w;
                bpm = b;
            }
        }
        return bpm;
    }

    /** Class index of every song (by the dataset's first label column). */
    static int[] classes(Dataset d) {
        int[] y = new int[d.songs.size()];
        for (int i = 0; i < y.length; i++) {
            y[i] = d.classes.indexOf(d.labels.get(d.songs.get(i).id())[0]);
        }
        return y;
    }

    static int[] folds(Dataset d) {
        return d.songs.stream().mapToInt(s -> d.fold.get(s.id())).toArray();
    }

    /** Cross-validated accuracy of nearest centroid on standardised features. */
    static double nearestCentroid(double[][] x, int[] y, int[] fold, int k) {
        int correct = 0;
        int classes = Arrays.stream(y).max().orElse(0) + 1;
        for (int f = 0; f < k; f++) {
            double[][] z = standardise(x, fold, f);
            int dim = x[0].length;
            double[][] cen = new double[classes][dim];
            int[] cnt = new int[classes];
            for (int i = 0; i < x.length; i++) {
                if (fold[i] != f) {
                    cnt[y[i]]++;
                    for (int j = 0; j < dim; j++) {
                        cen[y[i]][j] += z[i][j];
                    }
                }
            }
            for (int i = 0; i < x.length; i++) {
                if (fold[i] != f) {
                    continue;
                }
                int best = -1;
                double bd = Double.MAX_VALUE;
                for (int c = 0; c < classes; c++) {
                    if (cnt[c] == 0) {
                        continue;
                    }
                    double dd = 0;
                    for (int j = 0; j < dim; j++) {
                        double t = z[i][j] - cen[c][j] / cnt[c];
                        dd += t * t;
                    }
                    if (dd < bd) {
                        bd = dd;
                        best = c;
                    }
                }
                correct += best == y[i] ? 1 : 0;
            }
        }
        return correct / (double) x.length;
    }

    /** Cross-validated accuracy of k-nearest neighbours (majority, ties to the nearest) on standardised features. */
    static double knn(double[][] x, int[] y, int[] fold, int folds, int kNeighbours) {
        int correct = 0;
        int classes = Arrays.stream(y).max().orElse(0) + 1;
        for (int f = 0; f < folds; f++) {
            double[][] z = standardise(x, fold, f);
            for (int i = 0; i < x.length; i++) {
                if (fold[i] != f) {
                    continue;
                }
                Integer[] idx = new Integer[x.length];
                double[] dist = new double[x.length];
                int n = 0;
                for (int j = 0; j < x.length; j++) {
                    if (fold[j] != f) {
                        double dd = 0;
                        for (int q = 0; q < z[0].length; q++) {
                            double t = z[i][q] - z[j][q];
                            dd += t * t;
                        }
                        dist[j] = dd;
                        idx[n++] = j;
                    }
                }
                Integer[] tr = Arrays.copyOf(idx, n);
                Arrays.sort(tr, (a, b) -> Double.compare(dist[a], dist[b]));
                double[] votes = new double[classes];
                for (int q = 0; q < Math.min(kNeighbours, n); q++) {
                    votes[y[tr[q]]] += 1 + 1e-3 * (kNeighbours - q);
                }
                int best = 0;
                for (int c = 1; c < classes; c++) {
                    if (votes[c] > votes[best]) {
                        best = c;
                    }
                }
                correct += best == y[i] ? 1 : 0;
            }
        }
        return correct / (double) x.length;
    }

    /** Cross-validated R^2 of ridge regression (lambda on standardised features, centred target). */
    static double ridgeR2(double[][] x, double[] y, int[] fold, int folds, double lambda) {
        double[] pred = new double[y.length];
        for (int f = 0; f < folds; f++) {
            double[][] z = standardise(x, fold, f);
            int d = x[0].length;
            double mean = 0;
            int n = 0;
            for (int i = 0; i < y.length; i++) {
                if (fold[i] != f) {
                    mean += y[i];
                    n++;
                }
            }
            mean /= n;
            double[][] a = new double[d][d + 1];
            for (int i = 0; i < y.length; i++) {
                if (fold[i] == f) {
                    continue;
                }
                for (int p = 0; p < d; p++) {
                    for (int q = 0; q < d; q++) {
                        a[p][q] += z[i][p] * z[i][q];
                    }
                    a[p][d] += z[i][p] * (y[i] - mean);
                }
            }
            for (int p = 0; p < d; p++) {
                a[p][p] += lambda;
            }
            double[] w = solve(a, d);
            for (int i = 0; i < y.length; i++) {
                if (fold[i] == f) {
                    double s = mean;
                    for (int p = 0; p < d; p++) {
                        s += w[p] * z[i][p];
                    }
                    pred[i] = s;
                }
            }
        }
        double mu = Arrays.stream(y).average().orElse(0), ss = 0, se = 0;
        for (int i = 0; i < y.length; i++) {
            ss += (y[i] - mu) * (y[i] - mu);
            se += (y[i] - pred[i]) * (y[i] - pred[i]);
        }
        return 1 - se / ss;
    }

    private static double[] solve(double[][] a, int d) {
        for (int c = 0; c < d; c++) {
            int piv = c;
            for (int r = c + 1; r < d; r++) {
                if (Math.abs(a[r][c]) > Math.abs(a[piv][c])) {
                    piv = r;
                }
            }
            double[] t = a[c];
            a[c] = a[piv];
            a[piv] = t;
            for (int r = 0; r < d; r++) {
                if (r != c) {
                    double m = a[r][c] / a[c][c];
                    for (int q = c; q <= d; q++) {
                        a[r][q] -= m * a[c][q];
                    }
                }
            }
        }
        double[] w = new double[d];
        for (int c = 0; c < d; c++) {
            w[c] = a[c][d] / a[c][c];
        }
        return w;
    }

    /** Features standardised with the mean and std of the rows not in {@code testFold}. */
    static double[][] standardise(double[][] x, int[] fold, int testFold) {
        int d = x[0].length;
        double[] mu = new double[d], sd = new double[d];
        int n = 0;
        for (int i = 0; i < x.length; i++) {
            if (fold[i] != testFold) {
                n++;
                for (int j = 0; j < d; j++) {
                    mu[j] += x[i][j];
                }
            }
        }
        for (int j = 0; j < d; j++) {
            mu[j] /= n;
        }
        for (int i = 0; i < x.length; i++) {
            if (fold[i] != testFold) {
                for (int j = 0; j < d; j++) {
                    sd[j] += (x[i][j] - mu[j]) * (x[i][j] - mu[j]);
                }
            }
        }
        double[][] z = new double[x.length][d];
        for (int j = 0; j < d; j++) {
            sd[j] = Math.sqrt(sd[j] / n) + 1e-9;
        }
        for (int i = 0; i < x.length; i++) {
            for (int j = 0; j < d; j++) {
                z[i][j] = (x[i][j] - mu[j]) / sd[j];
            }
        }
        return z;
    }

    /** Nuisance features of a song: soundbank and every production setting. */
    static double[] nuisance(Song s) {
        Production p = s.production();
        return new double[]{s.bank(), p.lowpassHz(), p.tiltDb(), p.width(), p.reverb(), p.compRatio(), p.noiseDb(),
                p.crackle(), p.levelDb()};
    }
}

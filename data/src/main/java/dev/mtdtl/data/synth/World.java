package dev.mtdtl.data.synth;

import dev.mtdtl.data.synth.Styles.BassFamily;
import dev.mtdtl.data.synth.Styles.DrumFamily;
import dev.mtdtl.data.synth.Styles.Genre;
import dev.mtdtl.data.synth.Styles.Harmony;
import dev.mtdtl.data.synth.Styles.Meter;
import dev.mtdtl.tensor.Rng;

import java.util.ArrayList;
import java.util.List;

/**
 * The latent world of one seed: the 36 sub-styles (each a concrete prior drawn from its genre, with a
 * 25% chance of borrowing another genre's drum or bass family), Zipf-sized artists with a timbre and
 * style signature, and their songs. Target datasets draw fresh artists from the same machinery
 * ({@link #newArtist}) under another stream, so their artists are disjoint from the learning corpus.
 *
 * <p>Reference: data-notes.md section 2. Sizes: artist track counts ~ k^-1.8 on [1, kmax] (many
 * artists with 1-3 tracks, a few with dozens); popularity log-normal (sigma 1.2) per artist.
 *
 * <p>Omitted: collaborations, compilations, artists spanning many genres (80-85% of an artist's
 * tracks are in its genre, the rest in a neighbouring one).
 */
public final class World {

    /** A sub-style's concrete prior. */
    public record Style(int genre, int index, String name, double tempo, Meter meter, double swing, DrumFamily drums,
                        BassFamily bass, Harmony harmony) {}

    /** An artist's signature. {@code bank}: index into the bank list. */
    public record Artist(String id, String name, int genre, int style, double popularity, int careerStart,
                         int careerLength, int bank, int lead, int chords, int bass, int pad, double tilt,
                         double reverb, double tempoFactor, int key, boolean vocal, int topic, int tracks) {}

    /**
     * Share of learning-corpus tracks per genre (MSD-like: rock and pop lead), met by quota (see
     * {@link #learningArtists}). Generator version 2 drew each artist's genre from shares with rarer GTZAN genres
     * (blues, classical, disco, reggae 4-5%) independently of its Zipf size, so a 400-track corpus held 7 blues and 8
     * classical tracks, 3 and 4 of them tagged (docs/corpus.md, "Calibration of trained representations").
     */
    static final double[] GENRE_WEIGHTS = {0.07, 0.07, 0.07, 0.07, 0.09, 0.07, 0.08, 0.13, 0.07, 0.14, 0.08, 0.06};

    private final long seed;
    private final List<Style> styles = new ArrayList<>();
    private final int banks;
    private final int emergency;

    /**
     * @param banks     number of soundbanks ({@code banks - 1} is the emergency bank)
     */
    public World(long seed, int banks) {
        this.seed = seed;
        this.banks = banks;
        this.emergency = banks - 1;
        Rng r = new Rng(Rng.hash(seed, 1));
        List<Genre> gs = Styles.GENRES;
        for (int g = 0; g < gs.size(); g++) {
            Genre ge = gs.get(g);
            for (int k = 0; k < 3; k++) {
                Genre src = r.nextDouble() < 0.25 ? gs.get(r.nextInt(gs.size())) : ge;   // borrowing
                DrumFamily drums = pick(src.drums(), r);
                if (drums == DrumFamily.SHUFFLE && !ge.meters().contains(Meter.TWELVE_EIGHT)) {
                    drums = DrumFamily.BACKBEAT;                                            // needs a 3-step beat
                }
                Genre bsrc = r.nextDouble() < 0.25 ? gs.get(r.nextInt(gs.size())) : ge;
                Meter meter = drums == DrumFamily.SHUFFLE ? Meter.TWELVE_EIGHT : pick(ge.meters(), r);
                double tempo = ge.tempo() * StrictMath.exp(0.12 * r.nextGaussian());
                styles.add(new Style(g, k, ge.styles()[k], tempo, meter,
                        Math.max(0, Math.min(0.7, ge.swing() + 0.1 * r.nextGaussian())), drums, pick(bsrc.bass(), r),
                        pick(ge.harmony(), r)));
            }
        }
    }

    public long seed() {
        return seed;
    }

    public List<Style> styles() {
        return styles;
    }

    public Style style(int genre, int k) {
        return styles.get(3 * genre + k);
    }

    /** Index of the emergency bank. */
    public int emergencyBank() {
        return emergency;
    }

    /**
     * Artists of the learning corpus until their track counts reach {@code tracks} (the last is trimmed). An
     * artist's genre is drawn with probability proportional to that genre's deficit against its quota
     * (GENRE_WEIGHTS times the tracks so far, this artist's included), so genre track counts stay within about one
     * artist of their shares at any N: drawing genres independently of the Zipf sizes (generator version 2) let
     * one 26-track artist move a genre's count by 6% of a 400-track corpus.
     */
    public List<Artist> learningArtists(int tracks) {
        Rng r = new Rng(Rng.hash(seed, 2));
        int kmax = Math.max(3, Math.min(80, tracks / 15));
        List<Artist> out = new ArrayList<>();
        double[] count = new double[GENRE_WEIGHTS.length];
        int total = 0;
        while (total < tracks) {
            int size = Math.min(zipfSize(r, kmax), tracks - total);
            int g = categorical(deficits(count, total + size), r);
            out.add(newArtist("AR" + String.format("%05d", out.size()), g, size, r));
            count[g] += size;
            total += size;
        }
        return out;
    }

    /** max(0, quota - count) per genre with quota = share x n; the shares themselves when no genre is behind. */
    static double[] deficits(double[] count, int n) {
        double sum = 0;
        for (double w : GENRE_WEIGHTS) {
            sum += w;
        }
        double[] d = new double[count.length];
        double any = 0;
        for (int g = 0; g < d.length; g++) {
            d[g] = Math.max(0, GENRE_WEIGHTS[g] / sum * n - count[g]);
            any += d[g];
        }
        return any > 0 ? d : GENRE_WEIGHTS.clone();
    }

    /** A fresh artist of genre {@code g} with {@code tracks} tracks, drawn from {@code r}. */
    public Artist newArtist(String id, int g, int tracks, Rng r) {
        Genre ge = Styles.GENRES.get(g);
        int start = (int) Math.round(ge.yearMean() + 14 * r.nextGaussian());
        start = Math.max(1955, Math.min(2012, start));
        int len = (int) Math.min(40, Math.round(StrictMath.exp(1.6 + 0.8 * r.nextGaussian())));
        int bank = chooseBank(start, r);
        boolean vocal = r.nextDouble() < ge.vocalProb();
        // Each program slot comes from the genre's palette or, with probability PALETTE_BORROW, from a neighbouring
        // genre's, drawn from a side stream keyed by the artist id (the main stream's draws stay as they were).
        Rng side = new Rng(Rng.hash(seed ^ 0x9A1E77EL, id.hashCode()));
        Genre lg = palette(g, side), cg = palette(g, side), bg = palette(g, side), pg = palette(g, side);
        int lead = vocal && r.nextDouble() < 0.5 ? 52 + r.nextInt(3) : lg.lead()[r.nextInt(lg.lead().length)];
        return new Artist(id, Names.artist(r), g, r.nextInt(3), StrictMath.exp(1.2 * r.nextGaussian()), start, len,
                bank, lead, cg.chords()[r.nextInt(cg.chords().length)], bg.bassProg()[r.nextInt(bg.bassProg().length)],
                r.nextDouble() < 0.6 ? pg.pad()[r.nextInt(pg.pad().length)] : -1, 3 * r.nextGaussian(),
                0.05 + 0.3 * r.nextDouble(), StrictMath.exp(0.06 * r.nextGaussian()), r.nextInt(12), vocal,
                r.nextInt(Lyrics.TOPICS.length), tracks);
    }

    /**
     * Share of an artist's program slots (lead, chords, bass, pad) taken from a neighbouring genre's palette. Real
     * neighbouring genres share instruments (guitars in rock, metal, blues and country; synths in pop, disco and
     * electronic) and differ in how they are played; in generator version 2 every genre had its own palette, so frame
     * statistics (MFCC) named the genre from timbre alone and a representation had nothing to learn beyond it
     * (docs/corpus.md, "Calibration of trained representations").
     */
    static final double PALETTE_BORROW = 0.5;

    private static Genre palette(int g, Rng side) {
        if (side.nextDouble() < PALETTE_BORROW) {
            int[] nb = Styles.neighbours(g);
            return Styles.GENRES.get(nb[side.nextInt(nb.length)]);
        }
        return Styles.GENRES.get(g);
    }

    /** Old recordings lean on the lo-fi emergency bank; otherwise the SF2 banks, uniformly. */
    private int chooseBank(int year, Rng r) {
        if (banks == 1) {
            return 0;
        }
        double pEmergency = year < 1975 ? 0.35 : 0.1;
        return r.nextDouble() < pEmergency ? emergency : r.nextInt(banks - 1);
    }

    /** Song {@code k} of artist {@code a} (a function of the world seed, the id and the artist). */
    public Song song(String id, Artist a, Rng r) {
        int g = a.genre();
        if (r.nextDouble() < 0.15) {
            int[] nb = Styles.neighbours(g);
            g = nb[r.nextInt(nb.length)];
        }
        int st = g == a.genre() && r.nextDouble() < 0.7 ? a.style() : r.nextInt(3);
        Style style = style(g, st);
        Genre ge = Styles.GENRES.get(g);
        int year = Math.max(1955, Math.min(2015, a.careerStart() + r.nextInt(a.careerLength() + 1)));
        double arousal = clamp(ge.arousal() + 0.35 * r.nextGaussian());
        double va = clamp(0.7 * ge.valence() + 0.45 * r.nextGaussian());
        double vh = clamp(0.5 * Lyrics.TOPIC_VALENCE[a.topic()] + 0.5 * r.nextGaussian());
        boolean minor = r.nextDouble() < Math.max(0.05, Math.min(0.95, ge.minorProb() - 0.6 * va));
        double tempo = style.tempo() * a.tempoFactor() * StrictMath.exp(0.06 * r.nextGaussian() + 0.08 * arousal);
        int lead = a.vocal() && r.nextDouble() < 0.3 ? 52 + r.nextInt(3) : a.lead();
        int pad = a.pad() >= 0 && r.nextDouble() < 0.8 ? a.pad() : -1;
        int key = r.nextDouble() < 0.6 ? a.key() : r.nextInt(12);
        return new Song(id, a.id(), g, st, -1, -1, year, tempo, style.meter(), style.swing(), style.drums(), style.bass(),
                style.harmony(), key, minor, arousal, Song.valenceOf(va, vh), va, vh, lead, a.chords(), a.bass(), pad,
                -1, (int) Math.round(64 + 7 * va + 2 * r.nextGaussian()), 3 + 3 * r.nextDouble(),
                StrictMath.exp(0.2 * r.nextGaussian()), a.bank(), Production.of(year, a.tilt(), a.reverb(), arousal, r),
                r.nextInt(16), a.popularity() * StrictMath.exp(0.8 * r.nextGaussian()), r.nextLong());
    }

    /** Track count of an artist: P(k) proportional to k^-1.8 on [1, kmax], by inversion. */
    static int zipfSize(Rng r, int kmax) {
        double[] w = new double[kmax];
        for (int k = 1; k <= kmax; k++) {
            w[k - 1] = StrictMath.pow(k, -1.8);
        }
        return categorical(w, r) + 1;
    }

    static int categorical(double[] w, Rng r) {
        double s = 0;
        for (double x : w) {
            s += x;
        }
        double u = r.nextDouble() * s;
        for (int i = 0; i < w.length; i++) {
            u -= w[i];
            if (u < 0) {
                return i;
            }
        }
        return w.length - 1;
    }

    static <T> T pick(List<T> xs, Rng r) {
        return xs.get(r.nextInt(xs.size()));
    }

    static double clamp(double x) {
        return Math.max(-1, Math.min(1, x));
    }
}

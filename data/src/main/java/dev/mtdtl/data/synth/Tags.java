package dev.mtdtl.data.synth;

import dev.mtdtl.tensor.Rng;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The social-tag source, Last.fm style: a track's taggers (count ~ Poisson-gamma with mean proportional
 * to popularity^0.8; 40-50% of tracks get none) each apply one to three tags drawn from the track's
 * relevant tags (genre with synonyms and misspellings, sub-style, era, mood from arousal/valence,
 * instruments, tempo words, artist name) or from junk tags ("seen live", "favorites", personal tags);
 * tag counts become Last.fm's 0-100 intensities (100 for the most-applied tag of the track).
 *
 * <p>Reference: data-notes.md section 2 (tag row); the MSD Last.fm dataset's triplet format.
 * Omitted: user ids of taggers, tag time stamps.
 */
final class Tags {

    private static final Map<String, String[]> SYNONYMS = Map.ofEntries(
            Map.entry("blues", new String[]{"blues", "Blues", "blues music"}),
            Map.entry("classical", new String[]{"classical", "Classical", "classic", "orchestral"}),
            Map.entry("country", new String[]{"country", "Country", "contry"}),
            Map.entry("disco", new String[]{"disco", "Disco", "funk"}),
            Map.entry("hiphop", new String[]{"hip-hop", "Hip-Hop", "hip hop", "rap", "hiphop"}),
            Map.entry("jazz", new String[]{"jazz", "Jazz", "jaz"}),
            Map.entry("metal", new String[]{"metal", "heavy metal", "Metal", "metall"}),
            Map.entry("pop", new String[]{"pop", "Pop", "pop music"}),
            Map.entry("reggae", new String[]{"reggae", "Reggae", "raggae"}),
            Map.entry("rock", new String[]{"rock", "Rock", "rock n roll", "rok"}),
            Map.entry("electronic", new String[]{"electronic", "electronica", "Electronic", "electro"}),
            Map.entry("folk", new String[]{"folk", "Folk", "acoustic folk"}));

    private static final String[] JUNK = {"seen live", "favorites", "Favorite", "awesome", "love it", "my top",
            "check out", "amazing", "good", "favourite songs", "cool", "best", "spotify", "00s favs", "to buy",
            "beautiful", "albums i own", "under 2000 listeners", "radio", "my playlist"};

    private Tags() {}

    /**
     * Tag intensities (tag -> 0..100) of one track, or an empty map for an untagged track.
     * {@code artistName} gives the artist-name tag; {@code instrumentTags} the audible instruments.
     */
    static Map<String, Integer> of(Song s, String artistName, Rng r) {
        double mean = 2.2 * StrictMath.pow(s.popularity(), 0.8);
        double lambda = mean * gamma(0.5, r) / 0.5;                    // Poisson-gamma: over-dispersed
        int taggers = poisson(lambda, r);
        Map<String, Integer> counts = new LinkedHashMap<>();
        if (taggers == 0) {
            return counts;
        }
        List<String> relevant = new ArrayList<>();
        List<Double> weight = new ArrayList<>();
        if (s.genre() >= 0) {
            String g = Styles.GENRES.get(s.genre()).name();
            String[] syn = SYNONYMS.get(g);
            for (int i = 0; i < syn.length; i++) {
                add(relevant, weight, syn[i], 4.0 / (i + 1));
            }
            add(relevant, weight, Styles.GENRES.get(s.genre()).styles()[s.style()], 1.5);
        }
        add(relevant, weight, (s.year() / 10 % 10) + "0s", 0.8);
        for (String m : Styles.moodTags(s.arousal(), s.valence())) {
            add(relevant, weight, m, 0.5);
        }
        for (String ins : instrumentTags(s)) {
            add(relevant, weight, ins, 0.5);
        }
        add(relevant, weight, s.tempo() > 135 ? "fast" : s.tempo() < 90 ? "slow" : "mellow", 0.3);
        if (s.drums() == Styles.DrumFamily.FOUR_ON_FLOOR) {
            add(relevant, weight, "danceable", 0.4);
        }
        add(relevant, weight, artistName, 0.6);
        double[] w = weight.stream().mapToDouble(Double::doubleValue).toArray();
        for (int t = 0; t < taggers; t++) {
            int n = 1 + r.nextInt(3);
            for (int k = 0; k < n; k++) {
                String tag;
                double u = r.nextDouble();
                if (u < 0.12) {
                    tag = JUNK[zipf(JUNK.length, r)];
                } else if (u < 0.14) {
                    tag = "my " + Names.word(r, 2);                         // a personal one-off tag
                } else {
                    tag = relevant.get(World.categorical(w, r));
                }
                counts.merge(tag, 1, Integer::sum);
            }
        }
        int max = counts.values().stream().mapToInt(Integer::intValue).max().orElse(1);
        Map<String, Integer> out = new LinkedHashMap<>();
        counts.forEach((k, v) -> out.put(k, (int) Math.floor(100.0 * v / max)));   // Last.fm: 0..100
        return out;
    }

    static List<String> instrumentTags(Song s) {
        List<String> t = new ArrayList<>();
        int[] progs = {s.lead(), s.chords()};
        for (int p : progs) {
            if (p >= 52 && p <= 54) {
                t.add(p == 53 ? "female vocalists" : "male vocalists");
            } else if (p < 8) {
                t.add("piano");
            } else if (p >= 24 && p < 32) {
                t.add(p < 26 ? "acoustic" : "guitar");
            } else if (p >= 80 && p < 104) {
                t.add("synth");
            } else if (p >= 40 && p < 52) {
                t.add("strings");
            } else if (p >= 64 && p < 68) {
                t.add("saxophone");
            }
        }
        if (s.lead() < 52 || s.lead() > 54) {
            t.add("instrumental");
        }
        return t;
    }

    private static void add(List<String> tags, List<Double> w, String tag, double weight) {
        tags.add(tag);
        w.add(weight);
    }

    static int poisson(double lambda, Rng r) {
        if (lambda > 50) {
            return Math.max(0, (int) Math.round(lambda + Math.sqrt(lambda) * r.nextGaussian()));
        }
        double l = StrictMath.exp(-lambda), p = 1;
        int k = 0;
        do {
            k++;
            p *= r.nextDouble();
        } while (p > l);
        return k - 1;
    }

    /** Gamma(shape, 1) by Marsaglia-Tsang (shape < 1 via the boost u^(1/shape)). */
    static double gamma(double shape, Rng r) {
        if (shape < 1) {
            return gamma(shape + 1, r) * StrictMath.pow(r.nextDouble(), 1 / shape);
        }
        double d = shape - 1.0 / 3, c = 1 / Math.sqrt(9 * d);
        while (true) {
            double x = r.nextGaussian(), v = 1 + c * x;
            if (v <= 0) {
                continue;
            }
            v = v * v * v;
            double u = r.nextDouble();
            if (StrictMath.log(u) < 0.5 * x * x + d - d * v + d * StrictMath.log(v)) {
                return d * v;
            }
        }
    }

    private static int zipf(int n, Rng r) {
        double k = StrictMath.exp(r.nextDouble() * StrictMath.log(n + 1.0)) - 1;
        return Math.max(0, Math.min(n - 1, (int) k));
    }
}

package dev.mtdtl.data.synth;

import dev.mtdtl.tensor.Rng;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Listeners and their play counts (Echo Nest Taste Profile / Last.fm-1K style). A user has a taste:
 * sparse genre weights (Dirichlet 0.3), a favourite era, an energy (arousal) preference, a few favourite
 * artists, an activity level (distinct tracks ~ log-normal, median 20) and a taste sharpness. Tracks are
 * drawn without replacement with probability proportional to exp(beta * affinity) * popularity^0.6
 * (Gumbel top-k), play counts are 1 + a log-normal whose median grows with affinity: long-tailed.
 *
 * <p>Affinity mixes what audio can hear (genre, era production, energy) with what it cannot (favourite
 * artists, popularity, a per-(user, track) idiosyncrasy), so cold-start recommendation from audio is
 * possible but modest, as in real data.
 *
 * <p>Reference: data-notes.md section 2 (taste row). Omitted: time of listening, sessions, skips.
 */
final class TasteModel {

    /** A user's latent taste. */
    record User(String id, double[] genre, double era, double energy, String[] favourites, int activity,
                double beta, double playLevel) {}

    /** One (user, track, plays) triple; {@code track} indexes the song list given to {@link #plays}. */
    record Play(String user, int track, int count) {}

    private TasteModel() {}

    static List<User> users(String prefix, int n, List<World.Artist> artists, int maxActivity, Rng r) {
        double[] pop = artists.stream().mapToDouble(World.Artist::popularity).toArray();
        List<User> out = new ArrayList<>();
        for (int u = 0; u < n; u++) {
            double[] g = new double[Styles.GENRES.size()];
            double s = 0;
            for (int i = 0; i < g.length; i++) {
                g[i] = Tags.gamma(0.3, r);
                s += g[i];
            }
            for (int i = 0; i < g.length; i++) {
                g[i] /= s;
            }
            String[] fav = new String[1 + r.nextInt(4)];
            for (int i = 0; i < fav.length; i++) {
                fav[i] = artists.get(World.categorical(pop, r)).id();
            }
            int act = (int) Math.round(StrictMath.exp(StrictMath.log(20) + 0.9 * r.nextGaussian()));
            out.add(new User(String.format("%s%06d", prefix, u), g, 1990 + 14 * r.nextGaussian(), 0.5 * r.nextGaussian(),
                    fav, Math.max(1, Math.min(maxActivity, act)), 1.5 + r.nextDouble(), 0.8 * r.nextGaussian()));
        }
        return out;
    }

    /** Play triples of every user over {@code songs}; a pure function of the inputs and {@code seed}. */
    static List<Play> plays(List<User> users, List<Song> songs, long seed) {
        List<Play> out = new ArrayList<>();
        int n = songs.size();
        double[] key = new double[n];
        double[] aff = new double[n];
        for (int ui = 0; ui < users.size(); ui++) {
            User u = users.get(ui);
            Rng r = new Rng(Rng.hash(seed, ui));
            for (int t = 0; t < n; t++) {
                Song s = songs.get(t);
                aff[t] = affinity(u, s, seed);
                double gumbel = -StrictMath.log(-StrictMath.log(Math.max(1e-300, r.nextDouble())));
                key[t] = u.beta() * aff[t] + 0.6 * StrictMath.log(s.popularity()) + gumbel;
            }
            int[] chosen = topK(key, Math.min(u.activity(), n));
            Arrays.sort(chosen);
            for (int t : chosen) {
                int c = 1 + (int) Math.floor(StrictMath.exp(u.playLevel() + 0.5 * aff[t] + 1.1 * r.nextGaussian()));
                out.add(new Play(u.id(), t, Math.min(c, 5000)));
            }
        }
        return out;
    }

    /** Indices of the k largest keys (any order), by a size-k min-heap: O(n log k), no boxing. */
    static int[] topK(double[] key, int k) {
        int[] heap = new int[k];
        int size = 0;
        for (int t = 0; t < key.length; t++) {
            if (size < k) {
                heap[size] = t;
                int c = size++;
                while (c > 0 && key[heap[(c - 1) / 2]] > key[heap[c]]) {
                    int p = (c - 1) / 2;
                    int x = heap[p];
                    heap[p] = heap[c];
                    heap[c] = x;
                    c = p;
                }
            } else if (k > 0 && key[t] > key[heap[0]]) {
                heap[0] = t;
                int c = 0;
                while (true) {
                    int l = 2 * c + 1, r = l + 1, m = c;
                    if (l < size && key[heap[l]] < key[heap[m]]) {
                        m = l;
                    }
                    if (r < size && key[heap[r]] < key[heap[m]]) {
                        m = r;
                    }
                    if (m == c) {
                        break;
                    }
                    int x = heap[m];
                    heap[m] = heap[c];
                    heap[c] = x;
                    c = m;
                }
            }
        }
        return Arrays.copyOf(heap, size);
    }

    static double affinity(User u, Song s, long seed) {
        double a = 0;
        if (s.genre() >= 0) {
            a += StrictMath.log(u.genre()[s.genre()] + 0.02);
        }
        double dy = (s.year() - u.era()) / 12.0;
        double de = (s.arousal() - u.energy()) / 0.6;
        a -= 0.5 * dy * dy + 0.5 * de * de;
        for (String f : u.favourites()) {
            if (f.equals(s.artist())) {
                a += 2.5;
            }
        }
        // Idiosyncrasy: a fixed (user, track) taste no latent explains.
        long h = Rng.hash(seed ^ u.id().hashCode(), s.id().hashCode());
        a += 0.6 * ((h >>> 11) * 0x1.0p-53 - 0.5) * 3.4;
        return a;
    }

    /** Ground-truth summary of a user, for the truth files. */
    static Map<String, Object> truth(User u) {
        int top = 0;
        for (int i = 1; i < u.genre().length; i++) {
            if (u.genre()[i] > u.genre()[top]) {
                top = i;
            }
        }
        return Map.of("user_id", u.id(), "top_genre", Styles.GENRES.get(top).name(), "era",
                Math.round(u.era() * 10) / 10.0, "energy", Math.round(u.energy() * 1000) / 1000.0, "activity",
                u.activity(), "favourites", String.join(",", u.favourites()));
    }
}

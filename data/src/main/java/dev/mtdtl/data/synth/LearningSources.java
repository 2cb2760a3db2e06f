package dev.mtdtl.data.synth;

import dev.mtdtl.tensor.Rng;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The eight learning sources of the paper, generated from the learning corpus's latents, in the plain
 * shapes of their real counterparts (one table each, header line first):
 * <ul>
 * <li>self: no file (pairs of excerpts of the same track are made at training time);
 * <li>bpm ({@code track_id, bpm}): the Echo Nest tempo estimate: ~98% coverage, 9% octave or 3/2 errors,
 *     2% jitter;
 * <li>year ({@code track_id, year}): ~50% coverage, +-1 year noise, 2% reissue outliers;
 * <li>tag ({@code track_id, tag, intensity}): Last.fm triplets, intensity 0-100, see {@link Tags};
 * <li>taste ({@code user_id, track_id, play_count}): Taste Profile triplets, see {@link TasteModel};
 * <li>lyrics ({@code track_id, word, count}): musiXmatch bag of words, see {@link Lyrics};
 * <li>cdr_tag ({@code track_id, genre}): professional genre (and often sub-style) labels, ~25% coverage,
 *     7% confused with a neighbouring genre;
 * <li>artist ({@code track_id, artist_id}).
 * </ul>
 *
 * <p>Reference: data-notes.md section 2 ("The 8 learning sources"), reference-digest.md section 2 (what
 * prepare makes of them). Omitted: MSD's SQLite and HDF5 containers (plain tables instead).
 */
final class LearningSources {

    /** Source name -> (header, rows). */
    record Table(String[] header, List<String[]> rows) {}

    private LearningSources() {}

    static Map<String, Table> make(Dataset d, Lyrics lyrics, long seed) {
        Map<String, World.Artist> artists = new java.util.HashMap<>();
        for (World.Artist a : d.artists) {
            artists.put(a.id(), a);
        }
        List<String[]> bpm = new ArrayList<>(), year = new ArrayList<>(), tag = new ArrayList<>(),
                lyr = new ArrayList<>(), cdr = new ArrayList<>(), artist = new ArrayList<>();
        for (int i = 0; i < d.songs.size(); i++) {
            Song s = d.songs.get(i);
            Rng r = new Rng(Rng.hash(seed ^ 0x50C1A1L, i));
            artist.add(new String[]{s.id(), s.artist()});
            if (r.nextDouble() < 0.98) {
                double b = s.tempo() * (1 + 0.02 * r.nextGaussian());
                double u = r.nextDouble();
                if (u < 0.04) {
                    b *= 2;
                } else if (u < 0.07) {
                    b *= 0.5;
                } else if (u < 0.09) {
                    b *= r.nextDouble() < 0.5 ? 2.0 / 3 : 1.5;
                }
                bpm.add(new String[]{s.id(), String.format(java.util.Locale.ROOT, "%.3f", b)});
            }
            if (r.nextDouble() < 0.5) {
                int y = s.year();
                double u = r.nextDouble();
                if (u < 0.02) {
                    y = Math.min(2015, y + 5 + r.nextInt(26));              // a reissue
                } else if (u < 0.3) {
                    y += r.nextDouble() < 0.5 ? -1 : 1;
                }
                year.add(new String[]{s.id(), Integer.toString(y)});
            }
            World.Artist a = artists.get(s.artist());
            for (Map.Entry<String, Integer> e : Tags.of(s, a.name(), r).entrySet()) {
                tag.add(new String[]{s.id(), e.getKey(), Integer.toString(e.getValue())});
            }
            Map<String, Integer> bag = lyrics.bag(s, a.topic(), r);
            if (bag != null) {
                for (Map.Entry<String, Integer> e : bag.entrySet()) {
                    lyr.add(new String[]{s.id(), e.getKey(), Integer.toString(e.getValue())});
                }
            }
            if (r.nextDouble() < 0.25) {
                int g = s.genre();
                if (r.nextDouble() < 0.07) {
                    int[] nb = Styles.neighbours(g);
                    g = nb[r.nextInt(nb.length)];
                }
                cdr.add(new String[]{s.id(), Styles.GENRES.get(g).name()});
                if (g == s.genre() && r.nextDouble() < 0.5) {
                    cdr.add(new String[]{s.id(), Styles.GENRES.get(g).styles()[s.style()]});
                }
            }
        }
        List<String[]> taste = new ArrayList<>();
        for (TasteModel.Play p : d.plays) {
            taste.add(new String[]{p.user(), d.songs.get(p.track()).id(), Integer.toString(p.count())});
        }
        Map<String, Table> out = new java.util.LinkedHashMap<>();
        out.put("bpm", new Table(new String[]{"track_id", "bpm"}, bpm));
        out.put("year", new Table(new String[]{"track_id", "year"}, year));
        out.put("tag", new Table(new String[]{"track_id", "tag", "intensity"}, tag));
        out.put("taste", new Table(new String[]{"user_id", "track_id", "play_count"}, taste));
        out.put("lyrics", new Table(new String[]{"track_id", "word", "count"}, lyr));
        out.put("cdr_tag", new Table(new String[]{"track_id", "genre"}, cdr));
        out.put("artist", new Table(new String[]{"track_id", "artist_id"}, artist));
        return out;
    }
}

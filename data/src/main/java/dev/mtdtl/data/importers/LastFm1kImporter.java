package dev.mtdtl.data.importers;

import dev.mtdtl.data.Tsv;
import dev.mtdtl.tensor.Rng;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The recommendation target from the Last.fm-1K listening log
 * ({@code userid-timestamp-artid-artname-traid-traname.tsv}: six tab-separated fields, no header, one
 * listening event per line), written as {@code targets/NAME/} with tracks.tsv, plays.tsv
 * ({@code user_id track_id play_count}: events counted per user and track) and split.tsv.
 *
 * <p>Tracks are the track MBIDs (field 5) that have an audio file named {@code MBID.ext} in the audio
 * folder; events with no track MBID or no audio are dropped (counted in the return value). The split is
 * the paper's cold-start protocol item-folds-20: items shuffled with a seeded generator and dealt to 20
 * folds; split = test for fold 0.
 *
 * <p>Omitted: the timestamps (only counts are used), artist-level items.
 */
public final class LastFm1kImporter {

    /** Tracks kept, users kept, interactions (user, track pairs), events dropped. */
    public record Result(int tracks, int users, int interactions, long dropped) {}

    private LastFm1kImporter() {}

    public static Result recsys(Path log, Path audio, Path corpus, String name, long seed) throws IOException {
        CorpusBuilder.checkName(name);
        Map<String, Path> audioOf = CorpusBuilder.audioById(audio);
        TreeMap<String, TreeMap<String, Integer>> plays = new TreeMap<>();   // user -> track -> count
        Map<String, String> artistOf = new HashMap<>();
        long dropped = 0;
        try (BufferedReader r = dev.mtdtl.tensor.io.TextFiles.reader(log)) {
            String line;
            int ln = 0;
            while ((line = r.readLine()) != null) {
                ln++;
                if (line.isBlank()) {
                    continue;
                }
                String[] f = line.split("\t", -1);
                if (f.length != 6) {
                    throw new IOException(log + ":" + ln + ": " + f.length + " fields, expected 6 (userid, timestamp, "
                            + "artid, artname, traid, traname)");
                }
                if (f[0].isEmpty()) {
                    throw new IOException(log + ":" + ln + ": empty user id");
                }
                if (f[4].isEmpty() || !audioOf.containsKey(f[4])) {
                    dropped++;
                    continue;
                }
                plays.computeIfAbsent(f[0], k -> new TreeMap<>()).merge(f[4], 1, Integer::sum);
                artistOf.putIfAbsent(f[4], f[2].isEmpty() ? "-" : f[2]);
            }
        }
        List<String[]> pr = new ArrayList<>();
        Set<String> items = new HashSet<>();
        for (Map.Entry<String, TreeMap<String, Integer>> u : plays.entrySet()) {
            for (Map.Entry<String, Integer> t : u.getValue().entrySet()) {
                pr.add(new String[] {u.getKey(), t.getKey(), Integer.toString(t.getValue())});
                items.add(t.getKey());
            }
        }
        List<String> ids = new ArrayList<>(new java.util.TreeSet<>(items));
        if (ids.size() < 2) {
            // one item is the whole test fold of every repetition: nothing is left to fit the model on
            throw new IOException(log + ": its events name " + ids.size() + " track(s) with an audio file under "
                    + audio + " (MBID.ext); a recommendation target needs at least 2");
        }
        int[] perm = new int[ids.size()];
        for (int i = 0; i < perm.length; i++) {
            perm[i] = i;
        }
        Rng rng = new Rng(seed);
        for (int i = perm.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        int[] fold = new int[ids.size()];
        for (int i = 0; i < perm.length; i++) {
            fold[perm[i]] = i % 20;
        }
        List<String[]> tr = new ArrayList<>();
        List<String[]> sr = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            tr.add(CorpusBuilder.trackRow(ids.get(i), artistOf.get(ids.get(i)), audioOf.get(ids.get(i))));
            sr.add(new String[] {ids.get(i), fold[i] == 0 ? "test" : "train", Integer.toString(fold[i])});
        }
        String dir = "targets/" + name;
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("dir", dir);
        t.put("task", "recommendation");
        t.put("description", "Last.fm-1K listening log " + log);
        t.put("tracks", dir + "/tracks.tsv");
        t.put("count", ids.size());
        t.put("split", dir + "/split.tsv");
        t.put("protocol", "item-folds-20");
        t.put("folds", 20);
        t.put("plays", dir + "/plays.tsv");
        t.put("users", plays.size());
        t.put("interactions", pr.size());
        try (CorpusBuilder cb = new CorpusBuilder(corpus, name)) {
            Tsv.write(cb.stage(dir + "/tracks.tsv"), CorpusBuilder.TRACK_HEADER, tr);
            Tsv.write(cb.stage(dir + "/plays.tsv"), new String[] {"user_id", "track_id", "play_count"}, pr);
            Tsv.write(cb.stage(dir + "/split.tsv"), new String[] {"track_id", "split", "fold"}, sr);
            cb.putTarget(name, t);
            cb.commit();
        }
        return new Result(ids.size(), plays.size(), pr.size(), dropped);
    }
}

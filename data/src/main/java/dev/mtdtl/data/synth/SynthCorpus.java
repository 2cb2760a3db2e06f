package dev.mtdtl.data.synth;

import dev.mtdtl.data.CorpusManifest;
import dev.mtdtl.data.DiskSpace;
import dev.mtdtl.data.Tsv;
import dev.mtdtl.dsp.Audio;
import dev.mtdtl.dsp.WavWriter;
import dev.mtdtl.tensor.Parallel;
import dev.mtdtl.tensor.Rng;
import dev.mtdtl.tensor.io.AtomicFiles;
import dev.mtdtl.tensor.io.OutputLock;
import dev.mtdtl.tensor.io.Json;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.ToLongFunction;

/**
 * The built-in corpus: plans the whole synthetic world from one seed ({@link #plan}), writes every
 * label, split and ground-truth table, renders every clip on all cores, and writes
 * {@code manifest.json} last (its presence means the corpus is complete). Layout: docs/corpus.md.
 *
 * <p>Resumable: {@code synth-config.json} is written first; a rerun with the same settings skips every
 * clip whose WAV exists (WAVs are written atomically, so an existing file is whole) and rewrites the
 * small tables; a rerun with other settings into the same folder is refused. Deterministic: each
 * clip is a function of its latents and its soundbank only (see {@link Renderer}), so the bytes do not
 * depend on the thread count, on order, or on interruptions.
 *
 * <p>Omitted: compressed audio (WAV only), incremental growth of an existing corpus to a larger size.
 */
public final class SynthCorpus {

    /** Everything generated in memory before writing. */
    public record Plan(SynthConfig config, List<Soundbanks.Bank> banks, World world, Dataset learning,
                       List<Dataset> targets, Lyrics lyrics) {
        public List<String> bankNames() {
            return banks.stream().map(Soundbanks.Bank::name).toList();
        }

        List<Dataset> all() {
            List<Dataset> a = new ArrayList<>();
            a.add(learning);
            a.addAll(targets);
            return a;
        }
    }

    /** What a run did. */
    public record Report(int clips, int rendered, int skipped, double wallSeconds, double audioSeconds, int threads,
                         List<String> soundbanks) {
        public double clipsPerSecond() {
            return rendered / Math.max(1e-9, wallSeconds);
        }
    }

    private SynthCorpus() {}

    /** Plan the corpus: world, learning corpus with its sources' inputs, and the target datasets. */
    public static Plan plan(SynthConfig cfg) throws IOException {
        List<Soundbanks.Bank> banks = Soundbanks.load(cfg.soundbanks(), cfg.searchSoundbanks());
        World w = new World(cfg.seed(), banks.size());
        Dataset learn = new Dataset("learning", "learning", cfg.seconds());
        learn.description = "MSD-like learning corpus: tracks with the eight learning sources";
        Rng r = new Rng(Rng.hash(cfg.seed(), 3));
        for (World.Artist a : w.learningArtists(cfg.tracks())) {
            learn.artists.add(a);
            for (int k = 0; k < a.tracks(); k++) {
                learn.songs.add(w.song(String.format("TRL%06d", learn.songs.size()), a, r));
            }
        }
        learn.users = TasteModel.users("U", cfg.users(), learn.artists, Math.max(2, cfg.tracks() / 5),
                new Rng(Rng.hash(cfg.seed(), 4)));
        learn.plays = TasteModel.plays(learn.users, learn.songs, Rng.hash(cfg.seed(), 5));
        for (Song s : learn.songs) {
            learn.split.put(s.id(), "none");
        }
        int emergency = w.emergencyBank();
        boolean emergencyOnly = banks.size() == 1;
        int[] insBanks;
        int heldOut = -1;
        if (emergencyOnly) {
            insBanks = new int[]{emergency};
        } else if (banks.size() >= 3) {                  // two or more SF2 banks: hold the last out for test
            insBanks = new int[banks.size() - 2];
            for (int i = 0; i < insBanks.length; i++) {
                insBanks[i] = i;
            }
            heldOut = banks.size() - 2;
        } else {
            insBanks = new int[]{0};
        }
        List<Dataset> targets = List.of(
                TargetSets.genre(w, cfg.genrePerClass(), cfg.seconds(), banks.size(), cfg.seed()),
                TargetSets.dance(w, cfg.dancePerClass(), cfg.seconds(), banks.size(), cfg.seed()),
                TargetSets.instrument(w, cfg.instrumentPerClass(), cfg.instrumentSeconds(), insBanks, heldOut,
                        emergencyOnly, cfg.seed()),
                TargetSets.emotion(w, cfg.emotionClips(), cfg.seconds(), cfg.seed()),
                TargetSets.recsys(w, cfg.recsysTracks(), cfg.recsysUsers(), cfg.seconds(), cfg.seed()));
        return new Plan(cfg, banks, w, learn, targets, new Lyrics(cfg.seed()));
    }

    /** Bytes of one clip of {@code seconds} as the corpus writes it: a 16-bit stereo WAV at {@link Renderer#RATE}. */
    static long clipBytes(double seconds) {
        return 44 + 4L * Math.round(seconds * Renderer.RATE);
    }

    /** Audio bytes the corpus holds at least: its learning clips and the emotion and recommendation clips. */
    static long audioBytesAtLeast(SynthConfig cfg) {
        return ((long) cfg.tracks() + cfg.emotionClips() + cfg.recsysTracks()) * clipBytes(cfg.seconds());
    }

    /** What {@link #checkSpace} reads: {@link DiskSpace#usable}, replaced by tests. */
    static ToLongFunction<Path> usableSpace = DiskSpace::usable;

    /**
     * Refuses, before any work, a corpus that cannot fit: the audio it needs at least, less the WAVs already in
     * {@code out} (a resumed run), against the free space. Why before planning: a mistyped {@code --tracks} (an extra
     * three zeros) planned silently for minutes and would have rendered until the disk was full.
     */
    static void checkSpace(SynthConfig cfg, Path out) throws IOException {
        long need = audioBytesAtLeast(cfg);
        long free = usableSpace.applyAsLong(out);
        if (free <= 0 || need <= free) {
            return;
        }
        long have = 0;
        try (var s = Files.walk(out)) {
            for (Path p : (Iterable<Path>) s.filter(f -> f.toString().endsWith(".wav"))::iterator) {
                have += Files.size(p);
            }
        }
        if (need - have > free) {
            throw new IOException(String.format(java.util.Locale.ROOT, "%s: the corpus needs at least %s of audio (%,d "
                            + "learning, %,d emotion and %,d recommendation clips of %.0f s, 16-bit stereo at %,d Hz)%s and "
                            + "its file system has %s free; lower --tracks or --seconds, or free space", out,
                    DiskSpace.gb(need), cfg.tracks(), cfg.emotionClips(), cfg.recsysTracks(), cfg.seconds(),
                    Renderer.RATE, have > 0 ? ", " + DiskSpace.gb(have) + " of it already written," : "",
                    DiskSpace.gb(free)));
        }
    }

    /** Plan, write tables, render missing clips, write the manifest; one writer at a time ({@link OutputLock}). */
    public static Report generate(SynthConfig cfg, Path out, Consumer<String> log) throws IOException {
        try (OutputLock lock = OutputLock.folder(out)) {
            return generateLocked(cfg, out, log);
        }
    }

    private static Report generateLocked(SynthConfig cfg, Path out, Consumer<String> log) throws IOException {
        long t0 = System.nanoTime();
        Files.createDirectories(out);
        checkSpace(cfg, out);
        Plan plan = plan(cfg);
        checkOrWriteConfig(out, cfg.toJson(plan.bankNames()));
        removeStaleTemporaries(out, log);
        log.accept("soundbanks: " + String.join(", ", plan.bankNames()));
        writeTables(plan, out);

        List<Object[]> todo = new ArrayList<>();                 // {dataset, index}
        int clips = 0;
        double audio = 0;
        for (Dataset d : plan.all()) {
            for (int i = 0; i < d.songs.size(); i++) {
                clips++;
                if (!Files.isRegularFile(out.resolve(d.name.equals("learning") ? "learning" : "targets/" + d.name)
                        .resolve(Dataset.audioPath(i, d.songs.get(i).id())))) {
                    todo.add(new Object[]{d, i});
                    audio += d.seconds;
                }
            }
        }
        log.accept(String.format(java.util.Locale.ROOT, "%d clips, %d to render (%.0f s of audio) on %d threads",
                clips, todo.size(), audio, Parallel.threads()));
        AtomicInteger done = new AtomicInteger();
        int every = Math.max(1, todo.size() / 20);
        long r0 = System.nanoTime();
        Parallel.forEach(todo.size(), (c, from, to) -> {
            Dataset d = (Dataset) todo.get(from)[0];
            int i = (Integer) todo.get(from)[1];
            Song s = d.songs.get(i);
            Path dir = out.resolve(d.name.equals("learning") ? "learning" : "targets/" + d.name);
            try {
                float[] x = renderClip(s, plan.banks(), d.seconds);
                int n = x.length / 2;
                WavWriter.write(dir.resolve(Dataset.audioPath(i, s.id())), new Audio(x, 2, n, Renderer.RATE),
                        WavWriter.Encoding.PCM16);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(s.id() + ": " + e.getMessage(), e);
            }
            int k = done.incrementAndGet();
            if (k % every == 0 || k == todo.size()) {
                double el = (System.nanoTime() - r0) / 1e9;
                log.accept(String.format(java.util.Locale.ROOT, "rendered %d/%d (%.1f clips/s)", k, todo.size(), k / el));
            }
        });
        double wall = (System.nanoTime() - r0) / 1e9;
        CorpusManifest.write(out, SynthManifest.build(plan));
        Report rep = new Report(clips, todo.size(), clips - todo.size(), wall, audio, Parallel.threads(), plan.bankNames());
        Map<String, Object> rj = new LinkedHashMap<>();
        rj.put("clips", clips);
        rj.put("rendered", rep.rendered());
        rj.put("skipped", rep.skipped());
        rj.put("render_seconds", wall);
        rj.put("total_seconds", (System.nanoTime() - t0) / 1e9);
        rj.put("audio_seconds_rendered", audio);
        rj.put("clips_per_second", rep.clipsPerSecond());
        rj.put("threads", Parallel.threads());
        rj.put("soundbanks", plan.bankNames());
        AtomicFiles.writeString(out.resolve("synth-report.json"), Json.write(rj, 2) + "\n");
        return rep;
    }

    /** One clip: compose, render with its bank, post-produce. Planar stereo (2, n) at 22,050 Hz. */
    public static float[] renderClip(Song s, List<Soundbanks.Bank> banks, double seconds) throws IOException {
        int frames = (int) Math.round(seconds * Renderer.RATE);
        Score sc = Composer.compose(s, seconds);
        float[] x = Renderer.render(sc, banks.get(s.bank()), frames);
        s.production().apply(x, frames, Renderer.RATE, s.seed() ^ 0x9D0D0CL);
        return x;
    }

    // A killed run leaves AtomicFiles' temporaries (".NAME.HEX.tmp") beside the files it was writing.
    private static void removeStaleTemporaries(Path out, Consumer<String> log) throws IOException {
        int n = AtomicFiles.removeStaleIn(out);
        if (n > 0) {
            log.accept("removed " + n + " unfinished file(s) of an interrupted run");
        }
    }

    private static void checkOrWriteConfig(Path out, Map<String, Object> cfg) throws IOException {
        Path f = out.resolve("synth-config.json");
        String want = Json.write(cfg, 2) + "\n";
        if (Files.isRegularFile(f)) {
            String have = Files.readString(f);
            if (!have.equals(want)) {
                throw new IOException(out + " holds a corpus made with other settings (" + f + "):\n" + have
                        + "requested:\n" + want + "use another --out folder, or delete this one to start over");
            }
            return;
        }
        AtomicFiles.writeString(f, want);
    }

    private static void writeTables(Plan p, Path out) throws IOException {
        List<String> banks = p.bankNames();
        for (Dataset d : p.all()) {
            Path dir = out.resolve(d.name.equals("learning") ? "learning" : "targets/" + d.name);
            List<String[]> tracks = new ArrayList<>(), truth = new ArrayList<>(), artists = new ArrayList<>();
            Map<String, String> names = new java.util.HashMap<>();
            for (World.Artist a : d.artists) {
                artists.add(Truth.artist(a, banks));
                names.put(a.id(), a.name());
            }
            for (int i = 0; i < d.songs.size(); i++) {
                Song s = d.songs.get(i);
                tracks.add(new String[]{s.id(), s.artist(), names.get(s.artist()), Dataset.audioPath(i, s.id()),
                        Truth.f(d.seconds)});
                truth.add(Truth.song(s, banks));
            }
            Tsv.write(dir.resolve("tracks.tsv"), new String[]{"track_id", "artist_id", "artist_name", "audio", "seconds"},
                    tracks);
            Tsv.write(dir.resolve("truth/tracks.tsv"), Truth.SONG_COLUMNS, truth);
            Tsv.write(dir.resolve("truth/artists.tsv"), Truth.ARTIST_COLUMNS, artists);
            if (!d.users.isEmpty()) {
                List<String[]> users = new ArrayList<>();
                for (TasteModel.User u : d.users) {
                    Map<String, Object> t = TasteModel.truth(u);
                    users.add(new String[]{u.id(), (String) t.get("top_genre"), t.get("era").toString(),
                            t.get("energy").toString(), t.get("activity").toString(), (String) t.get("favourites")});
                }
                Tsv.write(dir.resolve("truth/users.tsv"),
                        new String[]{"user_id", "top_genre", "era", "energy", "activity", "favourite_artists"}, users);
            }
            if (d.name.equals("learning")) {
                for (Map.Entry<String, LearningSources.Table> e : LearningSources.make(d, p.lyrics(), p.config().seed())
                        .entrySet()) {
                    Tsv.write(dir.resolve("sources/" + e.getKey() + ".tsv"), e.getValue().header(), e.getValue().rows());
                }
                continue;
            }
            if (d.labelColumns.length > 0) {
                List<String[]> labels = new ArrayList<>();
                for (Song s : d.songs) {
                    String[] l = d.labels.get(s.id());
                    String[] row = new String[l.length + 1];
                    row[0] = s.id();
                    System.arraycopy(l, 0, row, 1, l.length);
                    labels.add(row);
                }
                String[] header = new String[d.labelColumns.length + 1];
                header[0] = "track_id";
                System.arraycopy(d.labelColumns, 0, header, 1, d.labelColumns.length);
                Tsv.write(dir.resolve("labels.tsv"), header, labels);
            }
            List<String[]> split = new ArrayList<>();
            for (Song s : d.songs) {
                split.add(new String[]{s.id(), d.split.get(s.id()), Integer.toString(d.fold.getOrDefault(s.id(), -1))});
            }
            Tsv.write(dir.resolve("split.tsv"), new String[]{"track_id", "split", "fold"}, split);
            if (!d.plays.isEmpty()) {
                List<String[]> plays = new ArrayList<>();
                for (TasteModel.Play pl : d.plays) {
                    plays.add(new String[]{pl.user(), d.songs.get(pl.track()).id(), Integer.toString(pl.count())});
                }
                Tsv.write(dir.resolve("plays.tsv"), new String[]{"user_id", "track_id", "play_count"}, plays);
            }
        }
    }
}

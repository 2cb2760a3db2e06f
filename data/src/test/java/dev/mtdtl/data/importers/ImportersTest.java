package dev.mtdtl.data.importers;

import dev.mtdtl.data.CorpusManifest;
import dev.mtdtl.data.Tsv;
import dev.mtdtl.data.prepare.Prepare;
import dev.mtdtl.data.store.MelStore;
import dev.mtdtl.dsp.Audio;
import dev.mtdtl.dsp.WavWriter;
import dev.mtdtl.tensor.io.Npy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Importers on tiny hand-made files in each real format, then prepare on what they wrote. */
class ImportersTest {

    static void wav(Path f, double hz) throws IOException {
        int n = 22050;   // 1 s
        float[] x = new float[2 * n];
        for (int i = 0; i < n; i++) {
            float v = (float) (0.3 * Math.sin(2 * Math.PI * hz * i / 22050));
            x[i] = v;                           // channel-major (Audio's layout)
            x[n + i] = 0.5f * v;
        }
        Files.createDirectories(f.getParent());
        WavWriter.write(f, new Audio(x, 2, n, 22050), WavWriter.Encoding.PCM16);
    }

    @Test
    @SuppressWarnings("unchecked")
    void gtzanFolderPerClassThenPrepare(@TempDir Path dir) throws IOException {
        Path root = dir.resolve("gtzan");
        for (String g : List.of("blues", "rock")) {
            for (int i = 0; i < 5; i++) {
                wav(root.resolve(g).resolve(g + ".0000" + i + ".wav"), 200 + 100 * i + (g.equals("rock") ? 50 : 0));
            }
        }
        Files.writeString(root.resolve("README.txt"), "not audio");
        Path corpus = dir.resolve("corpus");
        assertEquals(10, FolderImporter.gtzan(root, corpus, "genre", "genre", 1));
        Map<String, Object> m = CorpusManifest.read(corpus);
        Map<String, Object> g = (Map<String, Object>) ((Map<String, Object>) m.get("targets")).get("genre");
        assertEquals(List.of("blues", "rock"), g.get("classes"));
        Tsv.Table split = Tsv.read(corpus.resolve("targets/genre/split.tsv"));
        int[] perFold = new int[5];
        for (String[] r : split.rows()) {
            perFold[Integer.parseInt(r[2])]++;
        }
        assertEquals(List.of(2, 2, 2, 2, 2), java.util.Arrays.stream(perFold).boxed().toList());
        Tsv.Table labels = Tsv.read(corpus.resolve("targets/genre/labels.tsv"));
        assertEquals("blues.00000", labels.rows().get(0)[0]);
        assertEquals("blues", labels.rows().get(0)[1]);
        // prepare reads the imported corpus (empty learning corpus, one target dataset, audio in place).
        Prepare.run(Prepare.Config.defaults(corpus, dir.resolve("prep")).withTopics(2, 5), s -> { });
        try (MelStore s = MelStore.open(dir.resolve("prep/targets/genre"), "all")) {
            assertEquals(10, s.size());
            assertEquals(1 + 22050 / 256, s.frames(0));
        }
    }

    @Test
    void labelledFolderWithCsvAndSplit(@TempDir Path dir) throws IOException {
        Path root = dir.resolve("emo");
        for (int i = 0; i < 4; i++) {
            wav(root.resolve("clips/" + i + ".wav"), 300 + 50 * i);
        }
        Path labels = dir.resolve("labels.csv");
        Files.writeString(labels, "file,arousal,valence\nclips/0.wav,3.5,4\n\"clips/1.wav\",5,6.5\n2,1,2\n3,7,8\n");
        Path split = dir.resolve("split.csv");
        Files.writeString(split, "file,split\n0,train\n1,train\n2,train\n3,test\n");
        Path corpus = dir.resolve("corpus");
        assertEquals(4, FolderImporter.labelled(root, labels, split, corpus, "emotion", 1));
        Map<String, Object> m = CorpusManifest.read(corpus);
        String man = Files.readString(corpus.resolve("manifest.json"));
        assertTrue(man.contains("\"regression\""), man);
        assertTrue(man.contains("fixed-split"), man);
        Tsv.Table l = Tsv.read(corpus.resolve("targets/emotion/labels.tsv"));
        assertEquals(List.of("track_id", "arousal", "valence"), List.of(l.header()));
        assertEquals("6.5", l.rows().get(1)[2]);
        assertEquals("test", Tsv.read(corpus.resolve("targets/emotion/split.tsv")).rows().get(3)[1]);
        assertTrue(m.containsKey("learning"));
        // A row naming a missing file fails with file:line.
        Files.writeString(labels, "file,arousal\n0,1\nnope.wav,2\n");
        IOException e = assertThrows(IOException.class,
                () -> FolderImporter.labelled(root, labels, null, dir.resolve("c2"), "emotion", 1));
        assertTrue(e.getMessage().contains("labels.csv:3:"), e.getMessage());
    }

    @Test
    void msdTripletFilesBecomeTheLearningSources(@TempDir Path dir) throws IOException {
        Path audio = dir.resolve("previews");
        List<String> tids = List.of("TRAAA01", "TRAAA02", "TRAAA03", "TRAAA04");
        for (int i = 0; i < tids.size(); i++) {
            wav(audio.resolve("A/" + tids.get(i) + ".wav"), 220 * (i + 1));
        }
        Path unique = dir.resolve("unique_tracks.txt");
        Files.writeString(unique, "TRAAA01<SEP>SOA1<SEP>Artist One<SEP>t1\nTRAAA02<SEP>SOA2<SEP>Artist One<SEP>t2\n"
                + "TRAAA03<SEP>SOA3<SEP>Artist Two<SEP>t3\nTRAAA04<SEP>SOA4<SEP>Artist Three<SEP>t4\n"
                + "TRZZZ99<SEP>SOZ9<SEP>No Audio<SEP>t9\n");
        Path tags = dir.resolve("lastfm_tags.tsv");
        Files.writeString(tags, "TRAAA01\trock\t100\nTRAAA01\tguitar\t40\nTRAAA02\trock\t0\nTRAAA03\tjazz\t100\n"
                + "TRZZZ99\tjazz\t10\n");
        Path taste = dir.resolve("train_triplets.txt");
        Files.writeString(taste, "u1\tSOA1\t3\nu1\tSOA3\t1\nu2\tSOA2\t7\nu2\tSOA4\t2\nu3\tSOZ9\t1\n");
        Path mxm = dir.resolve("mxm_dataset_train.txt");
        Files.writeString(mxm, "# comment\n%i,the,love,you\nTRAAA01,111,1:3,3:2\nTRAAA03,333,2:5,4:1\n");
        Path years = dir.resolve("tracks_per_year.txt");
        Files.writeString(years, "1991<SEP>TRAAA01<SEP>A<SEP>t\n2004<SEP>TRAAA02<SEP>A<SEP>t\n1970<SEP>TRAAA03<SEP>B<SEP>t\n");
        Path bpm = dir.resolve("bpm.tsv");
        Files.writeString(bpm, "TRAAA01\t120.5\nTRAAA02\t90\nTRAAA03\t140\nTRAAA04\t60\n");
        Path cdr = dir.resolve("msd_tagtraum_cd2c.cls");
        Files.writeString(cdr, "# tagtraum\nTRAAA01\tRock\nTRAAA03\tJazz\tBlues\n");
        Path corpus = dir.resolve("corpus");
        MsdImporter.Files7 in = new MsdImporter.Files7(unique, tags, taste, mxm, years, bpm, cdr);
        assertEquals(new MsdImporter.Learning(4, 0), MsdImporter.learning(audio, in, corpus));
        Tsv.Table lyr = Tsv.read(corpus.resolve("learning/sources/lyrics.tsv"));
        assertEquals(List.of("TRAAA01", "i", "3"), List.of(lyr.rows().get(0)));
        assertEquals(List.of("TRAAA01", "love", "2"), List.of(lyr.rows().get(1)));
        Tsv.Table ts = Tsv.read(corpus.resolve("learning/sources/taste.tsv"));
        assertEquals(List.of("u1", "TRAAA01", "3"), List.of(ts.rows().get(0)));
        assertEquals(3, Tsv.read(corpus.resolve("learning/sources/cdr_tag.tsv")).rows().size());
        assertEquals(List.of("TRAAA02", "2004"), List.of(Tsv.read(corpus.resolve("learning/sources/year.tsv")).rows().get(1)));
        // prepare fits every source; tracks of the corpus get rows, others are ignored.
        Prepare.run(Prepare.Config.defaults(corpus, dir.resolve("prep")).withTopics(2, 10), s -> { });
        int[] tagMask = Npy.read(dir.resolve("prep/learning/targets/tag.mask.npy")).toInt();
        assertEquals(List.of(1, 1, 1, 0), java.util.Arrays.stream(tagMask).boxed().toList());
        int[] artistMask = Npy.read(dir.resolve("prep/learning/targets/artist.mask.npy")).toInt();
        assertEquals(List.of(1, 1, 1, 0), java.util.Arrays.stream(artistMask).boxed().toList());
        // A malformed line fails with file:line.
        Files.writeString(bpm, "TRAAA01\t120\nTRAAA02\tfast\n");
        IOException e = assertThrows(IOException.class, () -> MsdImporter.learning(audio,
                new MsdImporter.Files7(null, null, null, null, null, bpm, null), dir.resolve("c2")));
        assertTrue(e.getMessage().contains("bpm.tsv:2:"), e.getMessage());
        Files.writeString(mxm, "%a,b\nTRAAA01,1,3:1\n");
        e = assertThrows(IOException.class, () -> MsdImporter.learning(audio,
                new MsdImporter.Files7(null, null, null, mxm, null, null, null), dir.resolve("c3")));
        assertTrue(e.getMessage().contains("mxm_dataset_train.txt:2:"), e.getMessage());
    }

    @Test
    void lastFm1kLogBecomesARecommendationTarget(@TempDir Path dir) throws IOException {
        Path audio = dir.resolve("audio");
        wav(audio.resolve("mb-1.wav"), 300);
        wav(audio.resolve("mb-2.wav"), 400);
        Path log = dir.resolve("userid-timestamp-artid-artname-traid-traname.tsv");
        Files.writeString(log, String.join("\n",
                "user_000001\t2009-05-04T23:08:57Z\tart-1\tDeep Dish\tmb-1\tFuck Me Im Famous",
                "user_000001\t2009-05-04T23:10:57Z\tart-1\tDeep Dish\tmb-1\tFuck Me Im Famous",
                "user_000001\t2009-05-04T23:12:57Z\tart-2\tSomeone\t\tno track id",
                "user_000002\t2009-05-05T01:00:00Z\tart-2\tSomeone\tmb-2\tTwo",
                "user_000002\t2009-05-05T01:04:00Z\tart-3\tElse\tmb-3\tno audio")
                + "\n");
        LastFm1kImporter.Result r = LastFm1kImporter.recsys(log, audio, dir.resolve("corpus"), "recsys", 1);
        assertEquals(new LastFm1kImporter.Result(2, 2, 2, 2), r);
        Tsv.Table plays = Tsv.read(dir.resolve("corpus/targets/recsys/plays.tsv"));
        assertEquals(List.of("user_000001", "mb-1", "2"), List.of(plays.rows().get(0)));
        Files.writeString(log, "user_1\tonly three\tfields\n");
        IOException e = assertThrows(IOException.class,
                () -> LastFm1kImporter.recsys(log, audio, dir.resolve("c2"), "recsys", 1));
        assertTrue(e.getMessage().contains("traname.tsv:1:"), e.getMessage());
    }

    /** Ten labelled clips c0..c9 (rock / jazz alternating) under dir/folder, and their labels CSV. */
    static Path clips(Path dir) throws IOException {
        StringBuilder labels = new StringBuilder("file,genre\n");
        for (int i = 0; i < 10; i++) {
            wav(dir.resolve("folder/c" + i + ".wav"), 200 + 40 * i);
            labels.append('c').append(i).append(',').append(i % 2 == 0 ? "rock" : "jazz").append('\n');
        }
        Path csv = dir.resolve("labels.csv");
        Files.writeString(csv, labels);
        return csv;
    }

    static Map<String, String> contents(Path dir) throws IOException {
        Map<String, String> m = new java.util.TreeMap<>();
        try (java.util.stream.Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                m.put(dir.relativize(p).toString(), Files.readString(p));
            }
        }
        return m;
    }

    @Test
    void aRefusedImportLeavesTheCorpusAsItWas(@TempDir Path dir) throws IOException {
        Path labels = clips(dir);
        Path corpus = dir.resolve("corpus");
        FolderImporter.labelled(dir.resolve("folder"), labels, null, corpus, "genre", 1);
        Map<String, String> before = contents(corpus);
        Path split = dir.resolve("split.csv");
        // every way a split file can be wrong, each named at its line; nothing of the corpus changes
        for (String[] bad : new String[][] {
            {"file,split,fold\nc0,test,0\nc1,trian,1\n", "split.csv:3: split 'trian'"},
            {"file,split,fold\nc0,test,x\n", "split.csv:2: fold 'x' is not a nonnegative integer"},
            {"file,split,fold\nc0,test,-1\n", "split.csv:2: fold '-1'"},
            {"file,split\nc0,test\n\nc0,train\n", "split.csv:4: second row for c0"},
            {"file,split\nc0,test\nnope,train\n", "split.csv:3: 'nope' is no labelled track"},
            {"file,split\nc0,test\n", "split.csv: no split for c1"}}) {
            Files.writeString(split, bad[0]);
            IOException e = assertThrows(IOException.class,
                    () -> FolderImporter.labelled(dir.resolve("folder"), labels, split, corpus, "genre", 1));
            assertTrue(e.getMessage().contains(bad[1]), e.getMessage());
            assertEquals(before, contents(corpus), bad[0]);
        }
        StringBuilder allTrain = new StringBuilder("file,split\n");
        for (int i = 0; i < 10; i++) {
            allTrain.append('c').append(i).append(",train\n");
        }
        Files.writeString(split, allTrain);
        IOException e = assertThrows(IOException.class,
                () -> FolderImporter.labelled(dir.resolve("folder"), labels, split, corpus, "genre", 1));
        assertTrue(e.getMessage().contains("no track is in 'test'"), e.getMessage());
        // a class too small for the stratified 5 folds evaluate draws; the hint names a stray non-number
        Files.writeString(labels, "file,arousal\nc0,1\nc1,2\nc2,x\nc3,4\nc4,5\nc5,6\n");
        e = assertThrows(IOException.class,
                () -> FolderImporter.labelled(dir.resolve("folder"), labels, null, corpus, "genre", 1));
        assertTrue(e.getMessage().contains("class '1' has 1 track(s)") && e.getMessage().contains("labels.csv:4: 'x'"),
                e.getMessage());
        Files.writeString(labels, "file,arousal\nc0,1\nc1,1e39\n");
        e = assertThrows(IOException.class,
                () -> FolderImporter.labelled(dir.resolve("folder"), labels, null, corpus, "genre", 1));
        assertTrue(e.getMessage().contains("labels.csv:3: label arousal '1e39' is not a finite float32"), e.getMessage());
        assertEquals(before, contents(corpus));
        assertThrows(IllegalArgumentException.class,
                () -> FolderImporter.labelled(dir.resolve("folder"), labels, null, corpus, "../genre", 1));
        try (java.util.stream.Stream<Path> s = Files.list(corpus)) {
            assertEquals(List.of(), s.filter(p -> p.getFileName().toString().startsWith(".")).toList(),
                    "no staging folder or lock left");
        }
    }

    @Test
    void aKilledImportsStagingIsRemovedAndALiveImportLocksTheCorpus(@TempDir Path dir) throws IOException {
        Path labels = clips(dir);
        Path corpus = dir.resolve("corpus");
        Path stale = corpus.resolve(".import.1f2e.tmp/targets/genre/labels.tsv");
        Files.createDirectories(stale.getParent());
        Files.writeString(stale, "half");
        Path staleManifest = corpus.resolve(".manifest.json.1f2e.tmp");
        Files.writeString(staleManifest, "{");
        assertEquals(10, FolderImporter.labelled(dir.resolve("folder"), labels, null, corpus, "genre", 1));
        assertTrue(!Files.exists(corpus.resolve(".import.1f2e.tmp")) && !Files.exists(staleManifest));
        try (dev.mtdtl.tensor.io.OutputLock held = dev.mtdtl.tensor.io.OutputLock.folder(corpus)) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> FolderImporter.labelled(dir.resolve("folder"), labels, null, corpus, "other", 1));
            assertTrue(e.getMessage().contains("another mtdtl command"), e.getMessage());
        }
        assertEquals(List.of("genre"), List.copyOf(((Map<?, ?>) CorpusManifest.read(corpus).get("targets")).keySet()));
    }

    /**
     * A crash after an import's commit point, with some of its tables moved into place and the rest (and the new
     * manifest) still in .import.commit: whoever opens the corpus next finishes the move, so the old manifest is never
     * read beside new tables. The state is built from the corpus before and after a real import, every split of
     * its files between "moved" and "not yet".
     */
    @Test
    void anImportInterruptedAfterItsCommitPointIsFinishedByTheNextReader(@TempDir Path dir) throws IOException {
        Path labels = clips(dir);
        Path corpus = dir.resolve("corpus");
        FolderImporter.labelled(dir.resolve("folder"), labels, null, corpus, "genre", 1);
        Map<String, String> before = contents(corpus);
        Files.writeString(labels, Files.readString(labels).replace("rock", "pop"));
        FolderImporter.labelled(dir.resolve("folder"), labels, null, corpus, "mood", 1);
        Map<String, String> after = contents(corpus);
        List<String> changed = after.keySet().stream().filter(k -> !after.get(k).equals(before.get(k))
                && !k.equals(CorpusManifest.FILE)).toList();
        assertTrue(changed.size() >= 2 && after.containsKey(CorpusManifest.FILE)
                && !after.get(CorpusManifest.FILE).equals(before.get(CorpusManifest.FILE)), changed.toString());
        for (int moved = 0; moved <= changed.size(); moved++) {
            for (int reader = 0; reader < 2; reader++) {
                Path c = dir.resolve("crashed-" + moved + "-" + reader);
                write(c, before);
                for (int i = 0; i < changed.size(); i++) {
                    String k = changed.get(i);
                    Path to = i < moved ? c.resolve(k) : c.resolve(dev.mtdtl.data.CorpusCommit.DIR).resolve(k);
                    Files.createDirectories(to.getParent());
                    Files.writeString(to, after.get(k));
                }
                Path m = c.resolve(dev.mtdtl.data.CorpusCommit.DIR).resolve(CorpusManifest.FILE);
                Files.createDirectories(m.getParent());
                Files.writeString(m, after.get(CorpusManifest.FILE));
                if (reader == 0) {
                    // prepare's reader: an import holding the corpus stops it with the lock's message
                    try (dev.mtdtl.tensor.io.OutputLock held = dev.mtdtl.tensor.io.OutputLock.folder(c)) {
                        IllegalStateException e = assertThrows(IllegalStateException.class, () -> CorpusManifest.read(c));
                        assertTrue(e.getMessage().contains("another mtdtl command"), e.getMessage());
                    }
                    assertEquals(((Map<?, ?>) dev.mtdtl.tensor.io.Json.parseObject(after.get(CorpusManifest.FILE), "m")
                            .get("targets")).keySet(), ((Map<?, ?>) CorpusManifest.read(c).get("targets")).keySet());
                    assertEquals(after, contents(c), moved + " of " + changed.size() + " moved");
                } else {
                    // the next import rolls the interrupted one forward under its lock, then adds its own dataset
                    FolderImporter.labelled(dir.resolve("folder"), labels, null, c, "other", 1);
                    Map<String, String> got = contents(c);
                    for (String k : changed) {
                        assertEquals(after.get(k), got.get(k), k);
                    }
                    assertTrue(got.containsKey("targets/other/labels.tsv"), got.keySet().toString());
                    assertEquals(List.of("genre", "mood", "other"),
                            List.copyOf(((Map<?, ?>) CorpusManifest.read(c).get("targets")).keySet()));
                }
                assertTrue(!Files.exists(c.resolve(dev.mtdtl.data.CorpusCommit.DIR)));
            }
        }
    }

    static void write(Path dir, Map<String, String> files) throws IOException {
        for (Map.Entry<String, String> e : files.entrySet()) {
            Files.createDirectories(dir.resolve(e.getKey()).getParent());
            Files.writeString(dir.resolve(e.getKey()), e.getValue());
        }
    }

    @Test
    void twoAudioFilesOfOneTrackAreRefused(@TempDir Path dir) throws IOException {
        Path audio = dir.resolve("previews");
        wav(audio.resolve("A/TRAAA01.wav"), 300);
        wav(audio.resolve("B/TRAAA01.wav"), 400);
        Path bpm = dir.resolve("bpm.tsv");
        Files.writeString(bpm, "TRAAA01\t120\n");
        IOException e = assertThrows(IOException.class, () -> MsdImporter.learning(audio,
                new MsdImporter.Files7(null, null, null, null, null, bpm, null), dir.resolve("c")));
        assertTrue(e.getMessage().contains("two audio files for track TRAAA01"), e.getMessage());
        Files.delete(audio.resolve("B/TRAAA01.wav"));
        Files.writeString(bpm, "TRAAA01\t120\nTRAAA01\t121\n");
        e = assertThrows(IOException.class, () -> MsdImporter.learning(audio,
                new MsdImporter.Files7(null, null, null, null, null, bpm, null), dir.resolve("c")));
        assertTrue(e.getMessage().contains("bpm.tsv:2: second bpm for track TRAAA01"), e.getMessage());
        assertTrue(!Files.exists(dir.resolve("c/manifest.json")));
    }

    /**
     * Previews in a format no decoder here reads (M4A, Opus: how many collections come) are no corpus: `import msd`
     * made one of 0 tracks, status 0; now refused before anything is written, saying what the folder holds.
     */
    @Test
    void previewsNoDecoderReadsAreRefusedNamingTheirFormat(@TempDir Path dir) throws IOException {
        Path audio = dir.resolve("previews");
        Files.createDirectories(audio.resolve("A"));
        Files.write(audio.resolve("A/TRAAA01.m4a"), new byte[100]);
        Files.write(audio.resolve("A/TRAAA02.m4a"), new byte[100]);
        Files.write(audio.resolve("TRAAA03.opus"), new byte[100]);
        Files.write(audio.resolve("cover.jpg"), new byte[100]);
        Path bpm = dir.resolve("bpm.tsv");
        Files.writeString(bpm, "TRAAA01\t120\n");
        IOException e = assertThrows(IOException.class, () -> MsdImporter.learning(audio,
                new MsdImporter.Files7(null, null, null, null, null, bpm, null), dir.resolve("c")));
        assertEquals(audio + ": no audio file named by a track id (TRACKID.ext, ext one of .wav, .flac, .mp3, .ogg, "
                + ".oga, .aif, .aiff, .aifc, .au, .snd); it holds 2 .m4a and 1 .opus files, formats this engine does not "
                + "decode (convert them, e.g. ffmpeg -i FILE FILE.flac)", e.getMessage());
        assertTrue(!Files.exists(dir.resolve("c/manifest.json")));
        Files.delete(audio.resolve("A/TRAAA02.m4a"));
        Files.delete(audio.resolve("TRAAA03.opus"));
        assertEquals("; it holds 1 .m4a file, a format this engine does not decode (convert it, e.g. ffmpeg -i FILE "
                + "FILE.flac)", dev.mtdtl.dsp.AudioFiles.notDecoded(audio));
        e = assertThrows(IOException.class, () -> FolderImporter.gtzan(audio, dir.resolve("c2"), "genre", "genre", 1));
        assertTrue(e.getMessage().endsWith("no audio files in class folders (expected ROOT/CLASS/FILE.wav); it holds 1 "
                + ".m4a file, a format this engine does not decode (convert it, e.g. ffmpeg -i FILE FILE.flac)"),
                e.getMessage());
        Files.delete(audio.resolve("A/TRAAA01.m4a"));
        assertEquals("", dev.mtdtl.dsp.AudioFiles.notDecoded(audio), "a cover is not audio");
        // previews named by a shop's ids, not the MSD's: refused when none is a track id of unique_tracks, counted
        // when some are not
        Path unique = dir.resolve("unique_tracks.txt");
        Files.writeString(unique, "TRAAA01<SEP>SOAAA01<SEP>An artist<SEP>A title\n");
        wav(audio.resolve("7digital-123.wav"), 300);
        MsdImporter.Files7 in = new MsdImporter.Files7(unique, null, null, null, null, null, null);
        e = assertThrows(IOException.class, () -> MsdImporter.learning(audio, in, dir.resolve("c")));
        assertEquals(audio + ": none of its 1 audio files is named by a track id of " + unique + " (e.g. "
                + audio.resolve("7digital-123.wav") + "): previews are named TRACKID.ext, e.g. TRAAAAW128F429D538.mp3",
                e.getMessage());
        assertTrue(!Files.exists(dir.resolve("c/manifest.json")));
        wav(audio.resolve("TRAAA01.wav"), 300);
        assertEquals(new MsdImporter.Learning(2, 1), MsdImporter.learning(audio, in, dir.resolve("c")));
    }

    @Test
    void csvFieldsInQuotesMayHoldCommasAndQuotes() throws IOException {
        Path f = Path.of("labels.csv");
        assertEquals(List.of("a b", "Rock, Pop", "12\" single", "x"),
                List.of(FolderImporter.fields(f, 3, " a b ,\"Rock, Pop\" , \"12\"\" single\",x")));
        assertEquals(List.of("", "", ""), List.of(FolderImporter.fields(f, 3, ",,")));
        assertEquals(List.of("ab\"c"), List.of(FolderImporter.fields(f, 3, "ab\"c")));
        IOException e = assertThrows(IOException.class, () -> FolderImporter.fields(f, 7, "a,\"open, never closed"));
        assertTrue(e.getMessage().contains("labels.csv:7: quote opened at column 3 is not closed"), e.getMessage());
        e = assertThrows(IOException.class, () -> FolderImporter.fields(f, 8, "\"q\"x,y"));
        assertTrue(e.getMessage().contains("labels.csv:8: text after the quoted field"), e.getMessage());
    }

    @Test
    void aLabelWithACommaInQuotesImports(@TempDir Path dir) throws IOException {
        for (int i = 0; i < 4; i++) {
            wav(dir.resolve("clips/track, " + i + ".wav"), 300 + 50 * i);
        }
        Path labels = dir.resolve("labels.csv");
        Files.writeString(labels, "file,style\n\"track, 0.wav\",\"Rock, Pop\"\n\"track, 1.wav\",Jazz\n"
                + "\"track, 2\",\"Rock, Pop\"\n\"track, 3\",Jazz\n");
        Path split = dir.resolve("split.csv");
        Files.writeString(split, "file,split\n\"track, 0\",train\n\"track, 1\",train\n\"track, 2\",test\n"
                + "\"track, 3\",valid\n");
        Path corpus = dir.resolve("corpus");
        assertEquals(4, FolderImporter.labelled(dir.resolve("clips"), labels, split, corpus, "style", 1));
        Tsv.Table l = Tsv.read(corpus.resolve("targets/style/labels.tsv"));
        assertEquals(List.of("track, 0", "Rock, Pop"), List.of(l.rows().get(0)));
        assertEquals("test", Tsv.read(corpus.resolve("targets/style/split.tsv")).rows().get(2)[1]);
    }
}

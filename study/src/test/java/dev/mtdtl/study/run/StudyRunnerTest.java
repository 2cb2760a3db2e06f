package dev.mtdtl.study.run;

import dev.mtdtl.data.prepare.TopicTerms;
import dev.mtdtl.eval.Evaluation;
import dev.mtdtl.study.analysis.AnalysisJob;
import dev.mtdtl.study.analysis.StudyAnalysis;
import dev.mtdtl.study.analysis.TopicOverlay;
import dev.mtdtl.study.analysis.TsneMap;
import dev.mtdtl.nn.Source;
import dev.mtdtl.nn.Strategy;
import dev.mtdtl.study.design.Designer;
import dev.mtdtl.study.design.Schedule;
import dev.mtdtl.study.design.StudySpec;
import dev.mtdtl.tensor.io.AtomicFiles;
import dev.mtdtl.tensor.io.CodeIdentity;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The runner on a tiny prepared corpus: a study of SS-R on bpm, SS-R on tag and MS-CR@2 on bpm+tag (4 iterations
 * of batch 4 per source) plus Rand and MFCC, each evaluated on every target dataset once.
 */
class StudyRunnerTest {

    @TempDir
    Path tmp;

    static final Schedule TINY = new Schedule(null, 4L, 4, 2.5e-4f, 1, 5, "paper");

    static Path study(Path dir, List<Source> sources) throws Exception {
        StudySpec spec = new StudySpec(9, sources, List.of(Strategy.SSR, Strategy.MSCR2), 1, 1, "test", TINY);
        Designer.create(dir, spec, 0);
        return dir;
    }

    static RunnerConfig quiet(ByteArrayOutputStream log) {
        return RunnerConfig.defaults().withThreads(2).withCheckpointEvery(2).withProgress(new PrintStream(log, true));
    }

    /** results.csv's rows, sorted (rows are appended in completion order, which depends on the workers). */
    static List<String> rows(Path study) throws Exception {
        List<String> l = new ArrayList<>(Files.readAllLines(study.resolve("results.csv")));
        assertEquals(Evaluation.HEADER, l.remove(0));
        l.sort(Comparator.naturalOrder());
        return l;
    }

    /** The reference: study A run by one worker, uninterrupted (shared by the tests below, which copy it). */
    static Path reference;
    static List<String> referenceRows;

    @BeforeAll
    static void runTheReference(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        reference = study(dir.resolve("a"), List.of(Source.BPM, Source.TAG));
        StudyRunner.Summary sa = StudyRunner.run(reference, TinyCorpus.prepared(), quiet(log).withWorkers(1));
        assertEquals(5, sa.done(), log.toString());
        assertTrue(log.toString().contains("ETA"), log.toString());
        referenceRows = rows(reference);
        // 5 units x (emotion: arousal and valence R^2; recsys: nDCG@500 and its truncated variant) x 1 repetition
        assertEquals(5 * 4, referenceRows.size(), referenceRows.toString());
        assertTrue(referenceRows.stream().anyMatch(r -> r.startsWith("r0003,mscr2,bpm+tag,")), referenceRows.toString());
    }

    /**
     * Fig. 16 on a study's run (MS-CR@2 on bpm+tag): its run is found from the feature folder's place, and each
     * label's terms are the leading terms of a tag topic kept by prepare, picked by the run's tag head.
     */
    @Test
    void theMapOfAStudysRunShowsItsTagTopicTerms() throws Exception {
        Path p = TinyCorpus.prepared();
        Path feats = reference.resolve("runs/r0003/features/emotion");
        assertEquals(reference.resolve("runs/r0003").toAbsolutePath().normalize(), AnalysisJob.runOf(feats));
        // 4 training iterations: the heads barely separate anything, so the default bar shows no terms and
        // says why; a lift of 1 shows every label's strongest topic, which checks the plumbing.
        TsneMap weak = TsneMap.build(feats, p.resolve("targets/emotion"), AnalysisJob.runOf(feats), 3);
        assertTrue(!weak.topics().rows().isEmpty() || weak.note().contains("barely tell the labels apart"), weak.note());
        TsneMap m = TsneMap.build(feats, p.resolve("targets/emotion"), AnalysisJob.runOf(feats), 3, 1.0);
        assertFalse(m.topics().rows().isEmpty(), m.note());
        List<List<TopicTerms.Term>> tag = TopicTerms.read(TopicTerms.file(p.resolve("learning/targets"), "tag"), 4);
        for (TopicOverlay.Row r : m.topics().rows()) {
            assertEquals("tag", r.source(), "bpm is a GMM source: no topics");
            List<String> want = tag.get(r.topic()).stream().limit(TopicOverlay.TERMS).map(TopicTerms.Term::term).toList();
            assertEquals(want, r.terms());
            assertTrue(r.excess() > 0 && r.share() <= 1, r.toString());
            assertTrue(m.clusterNotes().stream().anyMatch(c -> c.lines().contains("tag: " + String.join(", ", want))));
        }
        // The same through the report, and a baseline's features say why they have none.
        AnalysisJob.run(reference, tmp, StudyAnalysis.Options.defaults().withBootstrap(0).withTsneMinLift(1), feats,
                p.resolve("targets/emotion"), null, new PrintStream(new ByteArrayOutputStream()));
        String html = Files.readString(tmp.resolve("study-report.html"));
        assertTrue(html.contains("most probable terms") && html.contains("Topic terms of [tag]"));
        assertFalse(html.contains("NaN"));
        Path rand = reference.resolve("runs/rand/features/emotion");
        TsneMap r = TsneMap.build(rand, p.resolve("targets/emotion"), AnalysisJob.runOf(rand), 3);
        assertTrue(r.topics().rows().isEmpty() && r.note().contains("no training run"), r.note());
    }

    /** Two workers, one run failing: recorded, the others finish; fixed and re-run, the results equal one worker's. */
    @Test
    void aFailedRunDoesNotStopTheOthersAndTwoWorkersGiveOneWorkersResults() throws Exception {
        Path p = TinyCorpus.prepared();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Path s = study(tmp.resolve("b"), List.of(Source.BPM, Source.TAG));
        Path bad = s.resolve("runs/r0002/checkpoints/it-000000001/checkpoint.json");
        Files.createDirectories(bad.getParent());
        Files.writeString(bad, "{ not json");
        StudyRunner.Summary sum = StudyRunner.run(s, p, quiet(log).withWorkers(2));
        assertEquals(1, sum.failed(), log.toString());
        assertEquals(4, sum.done());
        RunStore store = new RunStore(s);
        assertEquals(RunStore.State.FAILED, store.state("r0002"));
        assertTrue(Files.readString(store.dir("r0002").resolve("error.txt")).contains("checkpoint.json"));
        List<String> r = rows(s);
        assertFalse(r.stream().anyMatch(x -> x.startsWith("r0002,")));
        assertTrue(r.stream().anyMatch(x -> x.startsWith("r0003,")));
        ByteArrayOutputStream st = new ByteArrayOutputStream();
        StudyStatus.print(s, StudyStatus.of(s), new PrintStream(st, true));
        assertTrue(st.toString().contains("done 4, running 0, interrupted 0, failed 1, pending 0"), st.toString());
        assertTrue(st.toString().contains("failed       r0002"), st.toString());
        // fixed, the next invocation retries it; the study then equals the one-worker reference
        deleteTree(bad.getParent());
        assertEquals(1, StudyRunner.run(s, p, quiet(log).withWorkers(2)).done());
        assertEquals(RunStore.State.DONE, store.state("r0002"));
        assertEquals(referenceRows, rows(s));
        // a further invocation finds nothing to do and changes nothing
        byte[] before = Files.readAllBytes(s.resolve("results.csv"));
        assertEquals(5, StudyRunner.run(s, p, quiet(log)).alreadyDone());
        assertArrayEquals(before, Files.readAllBytes(s.resolve("results.csv")));
    }

    @Test
    void aKilledRunnerResumesWithoutRedoingFinishedSteps() throws Exception {
        Path p = TinyCorpus.prepared();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Path s = tmp.resolve("s");
        copyTree(reference, s);
        RunStore store = new RunStore(s);
        // The state a runner killed in r0003 leaves, with r0002 never started: r0003 trained to its checkpoint at
        // iteration 6 of 8, extracted and evaluated nothing but the first dataset, not merged, status "running".
        Path r3 = store.dir("r0003");
        deleteTree(r3.resolve("checkpoints/it-000000008"));
        List<String> datasets = StudyRunner.checkPrepared(p, List.of());
        for (String d : datasets.subList(1, datasets.size())) {
            deleteTree(r3.resolve("features").resolve(d));
        }
        List<Evaluation.Row> first = store.runResults("r0003").stream().filter(r -> r.dataset().equals(datasets.get(0))).toList();
        Evaluation.write(r3.resolve("results.csv"), first);
        store.setStatus("r0003", "running", java.util.Map.of("executor", "local", RunStore.CODES,
                List.of("jar:00000000000000aa")));   // started by another build than the one that resumes it
        List<Evaluation.Row> merged = new ArrayList<>(Evaluation.read(s.resolve("results.csv")));
        merged.removeIf(r -> r.run().equals("r0003") || r.run().equals("r0002"));
        Evaluation.write(s.resolve("results.csv"), merged);
        deleteTree(store.dir("r0002"));
        assertEquals(RunStore.State.INTERRUPTED, store.state("r0003"));

        Path[] kept = {store.dir("r0001").resolve("checkpoints/it-000000004/model.safetensors"),
                store.dir("r0001").resolve("features").resolve(datasets.get(0)).resolve("features.npy"),
                store.dir("r0001").resolve("results.csv"), store.dir("rand").resolve("results.csv"),
                r3.resolve("checkpoints/it-000000006/model.safetensors"),
                r3.resolve("features").resolve(datasets.get(0)).resolve("features.npy")};
        FileTime old = FileTime.fromMillis(1_000_000_000_000L);
        for (Path k : kept) {
            Files.setLastModifiedTime(k, old);
        }
        StudyRunner.Summary sum = StudyRunner.run(s, p, quiet(log).withCode("jar:00000000000000bb"));
        assertEquals(2, sum.done());
        assertEquals(3, sum.alreadyDone());
        // Which build made what: the reference's runs (from class folders), r0003 started by aa and resumed by bb,
        // r0002 by bb alone; said before the work and by 'study status'.
        assertTrue(log.toString().contains("note: this is build jar:00000000000000bb; this study has runs made by "
                + "unpackaged (3 runs: rand, mfcc, r0001), jar:00000000000000aa (1 run: r0003)"), log.toString());
        assertEquals(List.of("jar:00000000000000aa", "jar:00000000000000bb"), store.codes("r0003"));
        assertEquals(List.of("jar:00000000000000bb"), store.codes("r0002"));
        assertEquals(List.of(CodeIdentity.UNPACKAGED), store.codes("r0001"));
        assertTrue(Files.readString(r3.resolve("log.txt")).contains("this run was started by build jar:00000000000000aa"));
        ByteArrayOutputStream st = new ByteArrayOutputStream();
        StudyStatus.print(s, StudyStatus.of(s), new PrintStream(st, true));
        assertTrue(st.toString().contains("  builds       3 builds made this study's results: unpackaged (3 runs: rand, "
                + "mfcc, r0001), jar:00000000000000bb (2 runs: r0002, r0003), jar:00000000000000aa (1 run: r0003)\n"
                + "  mixed        resumed by another build than the one that started them: r0003 (jar:00000000000000aa "
                + "then jar:00000000000000bb)"), st.toString());
        // and the analysis names them (analysis.json's "builds", a note in the report)
        assertEquals("{jar:00000000000000aa=[r0003], jar:00000000000000bb=[r0002, r0003], unpackaged=[mfcc, r0001, rand]}",
                sortedBuilds(s));
        for (Path k : kept) {
            assertEquals(old, Files.getLastModifiedTime(k), k + " was rewritten: a finished step was redone");
        }
        assertTrue(Files.readString(r3.resolve("log.txt")).contains("resuming at 6"));
        assertEquals(referenceRows, rows(s), "the resumed study's results equal the uninterrupted ones");
    }

    @Test
    void badInputIsRefusedBeforeAnythingIsWritten() throws Exception {
        Path p = TinyCorpus.prepared();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        // a prepared folder without lyrics targets
        Path q = tmp.resolve("prepared-no-lyrics");
        copyTree(p, q);
        String pj = Files.readString(q.resolve("prepared.json"));
        Object parsed = dev.mtdtl.tensor.io.Json.parseObject(pj, "prepared.json");
        @SuppressWarnings("unchecked")
        java.util.Map<String, Object> learning = (java.util.Map<String, Object>) ((java.util.Map<String, Object>) parsed).get("learning");
        ((java.util.Map<?, ?>) learning.get("sources")).remove("lyrics");
        AtomicFiles.writeString(q.resolve("prepared.json"), dev.mtdtl.tensor.io.Json.write(parsed, 2));
        Path s = study(tmp.resolve("l"), List.of(Source.TAG, Source.LYRICS));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StudyRunner.run(s, q, quiet(log)));
        assertTrue(e.getMessage().contains("no targets for source 'lyrics'") && e.getMessage().contains("r0002, r0003"),
                e.getMessage());
        assertFalse(Files.exists(s.resolve("runs")), "nothing written");
        e = assertThrows(IllegalArgumentException.class, () -> StudyRunner.run(s, p, quiet(log).withDevice("cuda")));
        assertTrue(e.getMessage().contains("device 'cuda' cannot be used"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> StudyRunner.run(s, tmp.resolve("nothing"), quiet(log)));
        assertTrue(e.getMessage().contains("not a prepared folder"), e.getMessage());
        // the training length may be set before the first run, not after
        Path t = study(tmp.resolve("t"), List.of(Source.BPM, Source.TAG));
        Files.createDirectories(t.resolve("runs/r0001"));
        new RunStore(t).setStatus("r0001", "failed", java.util.Map.of());
        e = assertThrows(IllegalArgumentException.class,
                () -> StudyRunner.run(t, p, quiet(log).withLength(null, 8L)));
        assertTrue(e.getMessage().contains("study.json") && e.getMessage().contains("run r0001 has started"), e.getMessage());
    }

    /**
     * STUDY/results.csv is shared by every executor, and every run also keeps its own rows: a damaged copy is
     * refused before any work (naming its line), and rows it lost (the file moved aside, a line deleted) are merged
     * back from the runs' own files by the next invocation, which trains, extracts and evaluates nothing again.
     */
    @Test
    void lostResultRowsAreMergedBackAndADamagedResultsFileIsRefusedFirst() throws Exception {
        Path p = TinyCorpus.prepared();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Path s = tmp.resolve("r");
        copyTree(reference, s);
        RunStore store = new RunStore(s);
        List<Path> kept = new ArrayList<>();
        try (Stream<Path> w = Files.walk(s.resolve("runs"))) {
            w.filter(f -> f.getFileName().toString().matches("model.safetensors|features.npy|results.csv")).forEach(kept::add);
        }
        FileTime old = FileTime.fromMillis(1_000_000_000_000L);
        for (Path k : kept) {
            Files.setLastModifiedTime(k, old);
        }
        // a line deleted: that run goes through its task again, and only that row comes back
        List<String> lines = new ArrayList<>(Files.readAllLines(s.resolve("results.csv")));
        String lost = lines.remove(7);
        Files.write(s.resolve("results.csv"), lines);
        StudyRunner.Summary sum = StudyRunner.run(s, p, quiet(log));
        assertEquals(1, sum.done(), log.toString());
        assertEquals(4, sum.alreadyDone());
        assertTrue(log.toString().contains("1 done run(s) to complete again (" + lost.split(",")[0] + ")"), log.toString());
        assertEquals(referenceRows, rows(s));
        // a damaged file: refused before anything runs, naming its line and how to rebuild it
        Files.writeString(s.resolve("results.csv"), Files.readString(s.resolve("results.csv")).replaceFirst("\n[^\n]*\n",
                "\nr0001,ssr,bpm,emotion,zero,r2_arousal,0.5\n"));
        byte[] damaged = Files.readAllBytes(s.resolve("results.csv"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StudyRunner.run(s, p, quiet(log)));
        assertTrue(e.getMessage().contains("results.csv:2:") && e.getMessage().contains("move the damaged file aside"),
                e.getMessage());
        assertArrayEquals(damaged, Files.readAllBytes(s.resolve("results.csv")));
        // moved aside: every run's rows are merged back, nothing is computed again
        Files.move(s.resolve("results.csv"), s.resolve("results.csv.damaged"));
        sum = StudyRunner.run(s, p, quiet(log));
        assertEquals(5, sum.done());
        assertEquals(referenceRows, rows(s));
        for (Path k : kept) {
            assertEquals(old, Files.getLastModifiedTime(k), k + " was rewritten: a finished step was redone");
        }
        assertEquals(RunStore.State.DONE, store.state("r0003"));
        // a value changed in STUDY/results.csv: the run's own file contradicts it; refused before any work
        byte[] good = Files.readAllBytes(s.resolve("results.csv"));
        List<String> l = new ArrayList<>(Files.readAllLines(s.resolve("results.csv")));
        l.set(3, l.get(3).substring(0, l.get(3).lastIndexOf(',') + 1) + "0.123456");
        Files.write(s.resolve("results.csv"), l);
        e = assertThrows(IllegalArgumentException.class, () -> StudyRunner.run(s, p, quiet(log)));
        assertTrue(e.getMessage().contains("one of the two files was changed") && e.getMessage().contains("0.123456"),
                e.getMessage());
        // a row the run's own file does not have (a metric renamed)
        l = new ArrayList<>(List.of(new String(good, java.nio.charset.StandardCharsets.UTF_8).split("\n")));
        String renamed = l.get(3).replace(",r2_", ",rx_").replace(",ndcg", ",xdcg");
        assertFalse(renamed.equals(l.get(3)), l.get(3));
        l.set(3, renamed);
        Files.write(s.resolve("results.csv"), l);
        e = assertThrows(IllegalArgumentException.class, () -> StudyRunner.run(s, p, quiet(log)));
        assertTrue(e.getMessage().contains("does not have"), e.getMessage());
        // a row repeated, and a row of a run the plan does not have
        l = new ArrayList<>(List.of(new String(good, java.nio.charset.StandardCharsets.UTF_8).split("\n")));
        l.add(l.get(3));
        Files.write(s.resolve("results.csv"), l);
        e = assertThrows(IllegalArgumentException.class, () -> StudyRunner.run(s, p, quiet(log)));
        assertTrue(e.getMessage().contains("repeats one of the same run"), e.getMessage());
        l.set(l.size() - 1, "r0009" + l.get(3).substring(l.get(3).indexOf(',')));
        Files.write(s.resolve("results.csv"), l);
        e = assertThrows(IllegalArgumentException.class, () -> StudyRunner.run(s, p, quiet(log)));
        assertTrue(e.getMessage().contains("run 'r0009', which is neither in"), e.getMessage());
        Files.write(s.resolve("results.csv"), good);
        // a done run's own file damaged: its datasets are evaluated again and the file is written as it was
        Path own = store.dir("rand").resolve("results.csv");
        byte[] ownGood = Files.readAllBytes(own);
        Files.writeString(own, Files.readString(own).replace(",0.", ",1."));
        sum = StudyRunner.run(s, p, quiet(log));
        assertEquals(1, sum.done(), log.toString());
        assertArrayEquals(ownGood, Files.readAllBytes(own));
        assertArrayEquals(good, Files.readAllBytes(s.resolve("results.csv")));
    }

    /**
     * An interrupted run's own results.csv is reused only when it matches the CRC-32 its status.json records: one
     * changed after it was written is evaluated again, never merged; a status.json that cannot be read makes a done
     * run interrupted (the lock says no one runs it), and resuming it trains and extracts nothing again.
     */
    @Test
    void anInterruptedRunsDamagedResultsAreEvaluatedAgainAndADamagedStatusResumes() throws Exception {
        Path p = TinyCorpus.prepared();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Path s = tmp.resolve("d");
        copyTree(reference, s);
        RunStore store = new RunStore(s);
        Path r3 = store.dir("r0003");
        assertTrue(store.status("r0003").get(RunStore.RESULTS_CRC) instanceof Number, store.status("r0003").toString());
        // interrupted after its last dataset, before the merge; then one of its values changed on disk
        String status = Files.readString(r3.resolve("status.json")).replace("\"done\"", "\"running\"");
        Files.writeString(r3.resolve("status.json"), status);
        List<String> own = new ArrayList<>(Files.readAllLines(r3.resolve("results.csv")));
        String row = own.get(1);
        own.set(1, row.substring(0, row.lastIndexOf(',') + 1) + "0.999999");
        Files.write(r3.resolve("results.csv"), own);
        List<Evaluation.Row> merged = new ArrayList<>(Evaluation.read(s.resolve("results.csv")));
        merged.removeIf(r -> r.run().equals("r0003"));
        Evaluation.write(s.resolve("results.csv"), merged);
        Path model = r3.resolve("checkpoints/it-000000008/model.safetensors");
        FileTime old = FileTime.fromMillis(1_000_000_000_000L);
        Files.setLastModifiedTime(model, old);
        assertEquals(RunStore.State.INTERRUPTED, store.state("r0003"));
        StudyRunner.Summary sum = StudyRunner.run(s, p, quiet(log));
        assertEquals(1, sum.done(), log.toString());
        assertTrue(Files.readString(r3.resolve("log.txt")).contains("does not match the CRC-32"),
                Files.readString(r3.resolve("log.txt")));
        assertEquals(referenceRows, rows(s), "the damaged value was not merged");
        assertEquals(Files.readString(reference.resolve("runs/r0003/results.csv")), Files.readString(r3.resolve("results.csv")));
        // a done run's status.json damaged: interrupted, resumed, nothing trained again, the same rows
        Files.writeString(store.dir("r0001").resolve("status.json"), "{\"state\": \"do");
        assertEquals(RunStore.State.INTERRUPTED, store.state("r0001"));
        ByteArrayOutputStream said = new ByteArrayOutputStream();
        StudyStatus.print(s, StudyStatus.of(s), new PrintStream(said, true));
        assertTrue(said.toString().contains("r0001") && said.toString().contains("status.json cannot be read"), said.toString());
        Path m1 = store.dir("r0001").resolve("checkpoints/it-000000004/model.safetensors");
        Files.setLastModifiedTime(m1, old);
        sum = StudyRunner.run(s, p, quiet(log));
        assertEquals(1, sum.done(), log.toString());
        assertEquals(RunStore.State.DONE, store.state("r0001"));
        assertEquals(old, Files.getLastModifiedTime(m1), "training was not redone");
        assertEquals(old, Files.getLastModifiedTime(model));
        assertEquals(referenceRows, rows(s));
    }

    /** AnalysisJob.builds of a study, builds and runs sorted (rows come in completion order, which varies). */
    static String sortedBuilds(Path s) throws Exception {
        java.util.Map<String, Object> sorted = new java.util.TreeMap<>();
        AnalysisJob.builds(s, Evaluation.read(s.resolve("results.csv"))).forEach((k, v) ->
                sorted.put(k, ((List<?>) v).stream().map(String::valueOf).sorted().toList()));
        return sorted.toString();
    }

    static void deleteTree(Path d) throws Exception {
        if (!Files.exists(d)) {
            return;
        }
        try (Stream<Path> s = Files.walk(d)) {
            for (Path x : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(x);
            }
        }
    }

    static void copyTree(Path from, Path to) throws Exception {
        dev.mtdtl.tensor.test.TestFiles.copyTree(from, to);
    }
}

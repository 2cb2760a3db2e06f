package dev.mtdtl.nn;

import dev.mtdtl.tensor.io.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Checkpoint integrity: resume falls back to the newest checkpoint that verifies and names the corrupt
 * one it skipped; the files are byte-identical whether the run was interrupted or not (the metadata and
 * sidecar keys in a fixed order); a run whose checkpoints are all corrupt is refused.
 */
class CheckpointIntegrityTest {

    private static Trainer trainer() {
        return new Trainer(TrainerTest.net(Strategy.MSCR2, TrainerTest.THREE, 0.5f), TrainerTest.data(),
                TrainerTest.cfg());
    }

    private static void flipByte(Path f) throws IOException {
        byte[] b = Files.readAllBytes(f);
        b[b.length - 5] ^= 0x10;
        Files.write(f, b);
    }

    /** Changes a file of a run's checkpoint folder (checkpoint 9 of {@link #resumedAfter}). */
    @FunctionalInterface
    private interface Damage {
        void apply(Path checkpoint) throws IOException;
    }

    /**
     * A run trained to 9 (checkpoints 8 and 9 kept) has {@code damage} done to checkpoint 9; it must resume from 8,
     * move 9 aside to corrupt-it-000000009 and, trained on to 12, end with an uninterrupted run's checkpoint and
     * validation log, byte for byte. Returns the resume's log.
     */
    private static String resumedAfter(Path tmp, Damage damage) throws IOException {
        Path a = tmp.resolve("a");
        trainer().run(12, a, null);                       // checkpoints at 4, 8, 12 (the newest two kept)
        Path b = tmp.resolve("b");
        trainer().run(9, b, null);                        // 8 and 9 kept
        damage.apply(Checkpoint.dir(b, 9));
        List<String> log = new ArrayList<>();
        Trainer resumed = trainer();
        assertTrue(resumed.resume(b, log::add));
        assertEquals(8, resumed.iteration(), "the older checkpoint that verifies");
        assertTrue(Files.isDirectory(b.resolve("checkpoints/corrupt-it-000000009")), "kept aside for inspection");
        resumed.run(12, b, null);
        for (String f : List.of("model.safetensors", "optim.safetensors", "checkpoint.json")) {
            assertArrayEquals(Files.readAllBytes(Checkpoint.dir(a, 12).resolve(f)),
                    Files.readAllBytes(Checkpoint.dir(b, 12).resolve(f)), f);
        }
        assertEquals(Files.readString(a.resolve("valid.csv")), Files.readString(b.resolve("valid.csv")));
        return String.join("\n", log);
    }

    /** A sidecar's text changed from {@code from} (which must be there) to {@code to}. */
    private static Damage sidecar(String from, String to) {
        return ck -> {
            Path side = ck.resolve("checkpoint.json");
            String text = Files.readString(side);
            assertTrue(text.contains(from), text);
            Files.writeString(side, text.replace(from, to));
        };
    }

    @Test
    void resumeSkipsACorruptNewestCheckpointNamesItAndEndsByteIdentical(@TempDir Path tmp) throws IOException {
        String said = resumedAfter(tmp, ck -> flipByte(ck.resolve("model.safetensors")));
        assertTrue(said.contains("it-000000009") && said.contains("CRC-32") && said.contains("corrupt-it-000000009"),
                said);
    }

    /**
     * The iteration a run resumes from is the sidecar's, outside the CRCs: one that disagrees with its folder's name
     * (a damaged digit) makes the checkpoint corrupt. Before, the run resumed at the damaged iteration.
     */
    @Test
    void aSidecarWhoseIterationDisagreesWithItsFolderIsCorrupt(@TempDir Path tmp) throws IOException {
        String said = resumedAfter(tmp, sidecar("\"iteration\": 9,", "\"iteration\": 7,"));
        assertTrue(said.contains("checkpoint.json says iteration 7, its folder's name another"), said);
    }

    /**
     * The newest checkpoint's sidecar claims another network (a damaged digit of its spec) while the one before belongs
     * to this run: damage, not the wrong folder. Before, the resume was refused outright ("belongs to another run").
     */
    @Test
    void aNewestCheckpointThatClaimsAnotherRunIsDamagedWhenAnOlderOneIsThisRuns(@TempDir Path tmp) throws IOException {
        String said = resumedAfter(tmp, sidecar("\"feature_dim\": 16", "\"feature_dim\": 17"));
        assertTrue(said.contains("belongs to another run"), said);
    }

    /**
     * A resume under another learning rate (or Adam constant, KL reduction, balanced self pairs) is refused, naming the
     * setting: it went on silently, a run trained half one way and half the other. Other intervals of validation,
     * checkpoints and logging do not change the trajectory, and resume.
     */
    @Test
    void aResumeUnderAnotherLearningRateIsRefusedNamingIt(@TempDir Path tmp) throws IOException {
        trainer().run(8, tmp, null);
        Trainer other = new Trainer(TrainerTest.net(Strategy.MSCR2, TrainerTest.THREE, 0.5f), TrainerTest.data(),
                TrainerTest.cfg().withLr(1e-3f));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> other.resume(tmp));
        assertTrue(e.getMessage().endsWith("belongs to another run: its setting lr is 0.003, this run's is 0.001"),
                e.getMessage());
        Trainer intervals = new Trainer(TrainerTest.net(Strategy.MSCR2, TrainerTest.THREE, 0.5f), TrainerTest.data(),
                TrainerTest.cfg().withIntervals(5, 2, 1));
        assertTrue(intervals.resume(tmp));
        assertEquals(8, intervals.iteration());
    }

    @Test
    void aRunWhoseCheckpointsAllFailIsRefusedNamingEach(@TempDir Path tmp) throws IOException {
        trainer().run(8, tmp, null);                      // 4 and 8
        flipByte(Checkpoint.dir(tmp, 8).resolve("optim.safetensors"));
        Files.writeString(Checkpoint.dir(tmp, 4).resolve("checkpoint.json"), "{\"format\": ");
        Checkpoint.CorruptException e = assertThrows(Checkpoint.CorruptException.class, () -> trainer().resume(tmp));
        assertTrue(e.getMessage().contains("it-000000008") && e.getMessage().contains("it-000000004")
                && e.getMessage().contains("optim.safetensors"), e.getMessage());
        assertThrows(Checkpoint.CorruptException.class, () -> Checkpoint.readVerified(Checkpoint.dir(tmp, 4)));
    }

    @Test
    void headerAndSidecarKeysComeInAFixedOrder(@TempDir Path tmp) throws IOException {
        trainer().run(4, tmp, null);
        Path ck = Checkpoint.latest(tmp);
        byte[] b = Files.readAllBytes(ck.resolve("model.safetensors"));
        long n = ByteBuffer.wrap(b, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        String header = new String(b, 8, (int) n, StandardCharsets.UTF_8);
        assertTrue(header.startsWith("{\"__metadata__\":{\"format\":\"pt\",\"strategy\":\"mscr2\",\"sources\":\"self,tag,year\"}"),
                header.substring(0, 120));
        Map<String, Object> side = Json.parseObject(Files.readString(ck.resolve("checkpoint.json")), "sidecar");
        assertEquals(List.of("model.safetensors", "optim.safetensors"),
                new ArrayList<>(((Map<?, ?>) side.get("crc32")).keySet()));
        Checkpoint.Verified v = Checkpoint.readVerified(ck);
        assertEquals("mscr2", v.model().metadata.get("strategy"));
    }
}

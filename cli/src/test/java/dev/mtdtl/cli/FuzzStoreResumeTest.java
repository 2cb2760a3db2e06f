package dev.mtdtl.cli;

import dev.mtdtl.data.store.MelStore;
import dev.mtdtl.data.store.MelStoreWriter;
import dev.mtdtl.dsp.MelConfig;
import dev.mtdtl.dsp.TestAudio;
import dev.mtdtl.tensor.io.Checksums;
import dev.mtdtl.tensor.io.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The fuzzing suite's category for an unfinished mel store ({@code prepare}'s resumable writer, {@link
 * MelStoreWriter}): a build stopped after its first checkpoint leaves {@code all.progress.json}, {@code all.mel.part}
 * and {@code all.index.part}; one of them is mutated (the progress file's text; the index part's text as it is, which
 * its CRC-32 must catch, or with the CRC recomputed, which the check of the rows against the progress must catch; the
 * data part's bytes as they are) and the build run again. It must seal the store an uninterrupted build seals, byte for
 * byte (header, index, data), or refuse with an IOException that names a file of the case; nothing else. Its first run
 * (2026-12-08) failed 4 of its first 4 hand-made cases: a progress file whose count of tracks done or list of failures
 * was damaged sealed a store whose header disagreed with its index.
 */
class FuzzStoreResumeTest {

    @TempDir
    static Path tmp;

    @Test
    void unfinishedStoresResumed() throws IOException {
        Random r = new Random(FuzzCommandsTest.SEED + 31);
        // 12 tracks: t4 not audio (a failure), t2 and t9 with damaged frames (the damaged list)
        List<MelStoreWriter.Track> tracks = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            Path f = tmp.resolve("audio/t" + i + ".flac");
            Files.createDirectories(f.getParent());
            if (i == 4) {
                Files.writeString(f, "not audio");
            } else {
                Files.write(f, TestAudio.damagedFlac(4 + i % 3, i, i == 2 ? new int[]{1} : i == 9 ? new int[]{0, 3}
                        : new int[0]));
            }
            tracks.add(new MelStoreWriter.Track("t" + i, f));
        }
        Path ref = tmp.resolve("reference");
        build(ref, tracks, -1);
        String[] sealed = {"all.json", "all.index.tsv", "all.mel"};
        List<String> failures = new ArrayList<>();
        int n = 40;
        int completed = 0;
        int failed = 0;
        for (int i = 0; i < n; i++) {
            int before = failures.size();
            Path c = tmp.resolve("case-" + i);
            try {
                build(c, tracks, 5);   // stops at the checkpoint after its second batch (8 tracks on 1-2 threads)
                failures.add("case " + i + ": the build did not stop");
                continue;
            } catch (MelStoreWriter.Stopped expected) {
                // the unfinished store this case mutates
            }
            StringBuilder what = new StringBuilder("store part #" + i + " ");
            int kind = i % 4;
            Path progress = c.resolve("all.progress.json");
            if (kind == 0) {
                FuzzCommandsTest.mutate(progress, r, what, true);
            } else if (kind == 3) {
                FuzzCommandsTest.mutate(c.resolve("all.mel.part"), r, what, false);
            } else {
                Path index = c.resolve("all.index.part");
                FuzzCommandsTest.mutate(index, r, what, true);
                if (kind == 2) {   // the CRC and length recorded for the mutated bytes: only the rows' check is left
                    Map<String, Object> p = Json.parseObject(Files.readString(progress), progress.toString());
                    p.put("index_bytes", Files.size(index));
                    p.put("index_crc32", Checksums.crc32(index));
                    Files.writeString(progress, Json.write(p, 1) + "\n");
                    what.append(" (CRC fixed up)");
                }
            }
            try {
                build(c, tracks, -1);
                for (String f : sealed) {
                    if (!Arrays.equals(Files.readAllBytes(ref.resolve(f)), Files.readAllBytes(c.resolve(f)))) {
                        failures.add(what + ": completed, but " + f + " differs from an uninterrupted build's");
                    }
                }
                MelStore.open(c, "all").close();
                completed += failures.size() == before ? 1 : 0;
            } catch (IOException e) {
                if (e.getMessage() == null || !e.getMessage().contains(c.toString())) {
                    failures.add(what + ": refused without naming a file of the case: " + e);
                }
                if (Files.exists(c.resolve("all.json"))) {
                    failures.add(what + ": refused, yet all.json is there");
                }
            } catch (RuntimeException e) {
                failures.add(what + ": " + e);
            }
            failed += failures.size() > before ? 1 : 0;
        }
        System.out.printf("fuzz %-22s %3d cases: %3d completed, %3d refused with a clear message%n", "store part", n,
                completed, n - completed - failed);
        if (failed > 0) {
            fail(failed + " of " + n + " cases failed:\n" + String.join("\n", failures));
        }
        assertTrue(completed > 0, "no case completed");
    }

    private static void build(Path dir, List<MelStoreWriter.Track> tracks, int stopAfter) throws IOException {
        MelStoreWriter.build(dir, "all", tracks, MelConfig.paper(), MelStore.DType.F32, s -> { }, stopAfter);
    }
}

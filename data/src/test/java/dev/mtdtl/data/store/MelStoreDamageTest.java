package dev.mtdtl.data.store;

import dev.mtdtl.dsp.MelConfig;
import dev.mtdtl.dsp.TestAudio;
import dev.mtdtl.tensor.io.JsonFields;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Tracks stored from damaged files are listed with what their decoder left out: in the build's result, in the store's
 * header, and across a killed and resumed build (the progress file keeps the list of the tracks done before the kill).
 */
class MelStoreDamageTest {

    @TempDir
    Path tmp;

    @Test
    void damagedTracksAreListedAcrossAResume() throws IOException {
        List<MelStoreWriter.Track> tracks = new ArrayList<>();
        List<String> want = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            Path f = tmp.resolve("audio/t" + i + ".flac");
            Files.createDirectories(f.getParent());
            int[] damaged = i == 1 ? new int[]{3} : i == 6 ? new int[]{1, 5} : i == 9 ? new int[]{7} : new int[0];
            if (i == 4) {
                Files.writeString(f, "not audio");
            } else {
                Files.write(f, TestAudio.damagedFlac(8, i, damaged));
            }
            tracks.add(new MelStoreWriter.Track("t" + i, f));
            if (damaged.length > 0) {
                want.add("t" + i + " " + f + " " + (damaged.length == 1 ? "1 damaged FLAC frame" : damaged.length
                        + " damaged FLAC frames") + " replaced by silence (" + (damaged.length == 1 ? "" : "the first: ")
                        + "frame at byte ");
            }
        }
        Path dir = tmp.resolve("store");
        // killed after the first batch (t0-t3): t1's note is in the progress file only
        assertThrows(MelStoreWriter.Stopped.class, () -> MelStoreWriter.build(dir, "all", tracks, MelConfig.paper(),
                MelStore.DType.F32, s -> { }, 4));
        Map<String, Object> progress = JsonFields.read(dir.resolve("all.progress.json"));
        assertEquals(1, ((List<?>) progress.get("damaged")).size(), progress.toString());
        MelStoreWriter.Result r = MelStoreWriter.build(dir, "all", tracks, MelConfig.paper(), MelStore.DType.F32,
                s -> { }, -1);
        assertEquals(9, r.stored());
        assertEquals(1, r.failures().size());
        check(want, r.damaged());
        List<MelStoreWriter.Damaged> sealed = MelStoreWriter.damagedOf(JsonFields.read(dir.resolve("all.json"))
                .get("damaged"), dir.resolve("all.json"));
        check(want, sealed);
        MelStoreWriter.Result again = MelStoreWriter.build(dir, "all", tracks, MelConfig.paper(), MelStore.DType.F32,
                s -> { }, -1);
        assertTrue(again.alreadyComplete());
        assertEquals(sealed, again.damaged());
    }

    /**
     * A progress file damaged in a field its parts' CRC-32s do not cover (the count of tracks done; a word of a damaged
     * track's note) is not trusted: the build starts over with a log line saying what disagrees and seals what an
     * uninterrupted build seals. Before, it resumed at the wrong track and sealed a store whose header disagreed with
     * its index, or a note the decoder never wrote.
     */
    @Test
    void aProgressFileThatDisagreesWithItsPartsIsBuiltAgain() throws IOException {
        List<MelStoreWriter.Track> tracks = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            Path f = tmp.resolve("audio/t" + i + ".flac");
            Files.createDirectories(f.getParent());
            Files.write(f, TestAudio.damagedFlac(6, i, i == 2 ? new int[]{3} : new int[0]));
            tracks.add(new MelStoreWriter.Track("t" + i, f));
        }
        Path ref = tmp.resolve("fresh");
        MelStoreWriter.build(ref, "all", tracks, MelConfig.paper(), MelStore.DType.F32, s -> { }, -1);
        String[][] edits = {{"\"done\": 4", "\"done\": 3", "the index part holds 4 rows, more than the 3 tracks done"},
                {"\"done\": 4", "\"done\": 5", "done 5, but the index part ends before track t4"},
                {"1 damaged FLAC frame", "2 damaged FLAC frame", "its lists of failures and damaged tracks fail their"}};
        for (String[] e : edits) {
            Path dir = tmp.resolve("edit-" + e[1].replaceAll("\\W", ""));
            assertThrows(MelStoreWriter.Stopped.class, () -> MelStoreWriter.build(dir, "all", tracks,
                    MelConfig.paper(), MelStore.DType.F32, s -> { }, 4));
            Path progress = dir.resolve("all.progress.json");
            String text = Files.readString(progress).replaceAll("\"done\": *4", "\"done\": 4");
            assertTrue(text.contains(e[0]), text);
            Files.writeString(progress, text.replace(e[0], e[1]));
            List<String> log = new ArrayList<>();
            MelStoreWriter.build(dir, "all", tracks, MelConfig.paper(), MelStore.DType.F32, log::add, -1);
            assertTrue(log.get(0).contains("does not agree with " + progress + " (" + e[2]), log.toString());
            for (String f : new String[]{"all.json", "all.index.tsv", "all.mel"}) {
                assertArrayEquals(Files.readAllBytes(ref.resolve(f)), Files.readAllBytes(dir.resolve(f)), e[1] + ": " + f);
            }
        }
    }

    private static void check(List<String> want, List<MelStoreWriter.Damaged> got) {
        assertEquals(want.size(), got.size(), got.toString());
        for (int i = 0; i < want.size(); i++) {
            MelStoreWriter.Damaged d = got.get(i);
            String line = d.track() + " " + d.file() + " " + d.damage();
            assertTrue(line.startsWith(want.get(i)), line);
        }
    }
}

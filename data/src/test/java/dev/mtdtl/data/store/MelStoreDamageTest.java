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

    private static void check(List<String> want, List<MelStoreWriter.Damaged> got) {
        assertEquals(want.size(), got.size(), got.toString());
        for (int i = 0; i < want.size(); i++) {
            MelStoreWriter.Damaged d = got.get(i);
            String line = d.track() + " " + d.file() + " " + d.damage();
            assertTrue(line.startsWith(want.get(i)), line);
        }
    }
}

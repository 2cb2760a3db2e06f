package dev.mtdtl.data.store;

import dev.mtdtl.dsp.Audio;
import dev.mtdtl.dsp.MelConfig;
import dev.mtdtl.dsp.WavWriter;
import dev.mtdtl.tensor.io.Json;
import dev.mtdtl.tensor.io.JsonFields;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A store none of whose tracks decode is not sealed. Until 2026-12-07 it was: mtdtl.jar decoded no MP3, `prepare`
 * on MP3 previews "skipped" every one, sealed empty stores and exited 0, and a rerun with a mended jar kept them as
 * finished. Now the build stops with the commonest reason and leaves nothing that looks finished, and a finished
 * empty store from such a run is built again.
 */
public class MelStoreUnreadableTest {

    @TempDir
    Path tmp;

    private List<MelStoreWriter.Track> tracks(String... contents) throws IOException {
        List<MelStoreWriter.Track> l = new ArrayList<>();
        for (int i = 0; i < contents.length; i++) {
            Path f = tmp.resolve("audio/t" + i + ".mp3");
            Files.createDirectories(f.getParent());
            Files.writeString(f, contents[i]);
            l.add(new MelStoreWriter.Track("t" + i, f));
        }
        return l;
    }

    /** Replaces every track's file with 0.3 s of a stereo tone (the audio is "mended"). */
    private static void mend(List<MelStoreWriter.Track> l) throws IOException {
        int frames = 6615;
        float[] x = new float[2 * frames];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (0.2 * Math.sin(0.05 * i));
        }
        for (MelStoreWriter.Track t : l) {
            WavWriter.write(t.audio(), new Audio(x, 2, frames, 22050), WavWriter.Encoding.PCM16);
        }
    }

    /**
     * Turns the finished store NAME in dir into what the engine before 2026-12-07 sealed when no track decoded: no
     * data, the index's header line, every track of the index listed as a failure ("no decoder accepts it").
     */
    public static void sealEmpty(Path dir, String name) throws IOException {
        List<MelStoreWriter.Failure> failed = new ArrayList<>();
        List<String> rows = Files.readAllLines(dir.resolve(name + MelStore.INDEX_SUFFIX));
        for (String row : rows.subList(1, rows.size())) {
            String id = row.split("\t")[0];
            failed.add(new MelStoreWriter.Failure(id, "/audio/" + id + ".mp3", "no decoder accepts it"));
        }
        byte[] head = "track_id\toffset\tframes\n".getBytes(StandardCharsets.UTF_8);
        Files.write(dir.resolve(name + MelStore.DATA_SUFFIX), new byte[0]);
        Files.write(dir.resolve(name + MelStore.INDEX_SUFFIX), head);
        CRC32 crc = new CRC32();
        crc.update(head);
        Path header = dir.resolve(name + MelStore.HEADER_SUFFIX);
        Map<String, Object> h = new LinkedHashMap<>(JsonFields.read(header));
        h.put("tracks", 0);
        h.put("elements", 0);
        h.put("failures", MelStoreWriter.failuresJson(failed));
        h.put("crc32", Map.of("data", 0L, "index", crc.getValue()));
        Files.writeString(header, Json.write(h, 2) + "\n");
        MelStore.open(dir, name).close();   // a valid finished store, of nothing
    }

    @Test
    void aStoreOfOnlyUnreadableTracksStopsWithTheCommonestReasonAndIsBuiltOnTheNextRun() throws IOException {
        List<MelStoreWriter.Track> l = tracks("not audio", "not audio", "");
        Path dir = tmp.resolve("store");
        IOException e = assertThrows(IOException.class, () -> MelStoreWriter.build(dir, "train", l, MelConfig.paper(),
                MelStore.DType.F32, s -> { }, -1));
        assertEquals("train: none of its 3 tracks could be decoded; 2 of them: not audio: a text file starting 'not "
                + "audio' (an error page saved by a failed download?) (e.g. " + l.get(0).audio() + "). Nothing was "
                + "stored: fix the audio files (or their format) and run again", e.getMessage());
        try (var files = Files.list(dir)) {
            assertEquals(List.of(), files.toList(), "no header, parts or progress left");
        }
        mend(l);
        MelStoreWriter.Result r = MelStoreWriter.build(dir, "train", l, MelConfig.paper(), MelStore.DType.F32, s -> { },
                -1);
        assertEquals(3, r.stored());
        assertEquals(List.of(), r.failures());
    }

    @Test
    void oneReasonForAllIsSaidSo() {
        List<MelStoreWriter.Failure> f = List.of(new MelStoreWriter.Failure("a", "/x/a.mp3", "no decoder"),
                new MelStoreWriter.Failure("b", "/x/b.mp3", "no decoder"));
        assertEquals("valid: none of its 2 tracks could be decoded; every one: no decoder (e.g. /x/a.mp3). Nothing was "
                + "stored: fix the audio files (or their format) and run again", MelStoreWriter.noneDecoded("valid", f));
    }

    /** Reasons that differ only by the frame or byte a decoder names count as one; the first file's is quoted. */
    @Test
    void reasonsAreCountedByTheirWords() {
        List<MelStoreWriter.Failure> f = List.of(
                new MelStoreWriter.Failure("a", "/x/a.mp3", "corrupt MP3 data in frame 61 (about 1.4 s in): x"),
                new MelStoreWriter.Failure("b", "/x/b.wav", "empty file (0 bytes)"),
                new MelStoreWriter.Failure("c", "/x/c.mp3", "corrupt MP3 data in frame 1,093 (about 28.5 s in): x"));
        assertEquals("valid: none of its 3 tracks could be decoded; 2 of them: corrupt MP3 data in frame 61 (about 1.4 s "
                + "in): x (e.g. /x/a.mp3). Nothing was stored: fix the audio files (or their format) and run again",
                MelStoreWriter.noneDecoded("valid", f));
    }

    @Test
    void aFinishedStoreOfNoTrackFromAnOlderEngineIsBuiltAgain() throws IOException {
        List<MelStoreWriter.Track> l = tracks("x", "y");
        mend(l);
        Path dir = tmp.resolve("old");
        MelStoreWriter.build(dir, "train", l, MelConfig.paper(), MelStore.DType.F32, s -> { }, -1);
        sealEmpty(dir, "train");

        List<String> log = new ArrayList<>();
        MelStoreWriter.Result r = MelStoreWriter.build(dir, "train", l, MelConfig.paper(), MelStore.DType.F32, log::add,
                -1);
        assertTrue(log.get(0).equals("train: the finished store in " + dir + " holds none of its 2 tracks (every one "
                + "unreadable when it was built); building it again"), log.toString());
        assertEquals(2, r.stored());
        assertEquals(2, r.computed());
        try (MelStore s = MelStore.open(dir, "train")) {
            assertEquals(2, s.size());
        }
    }
}

package dev.mtdtl.data.synth;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A synthetic corpus that cannot fit on its disk is refused before any work, with the figures; a resumed one counts
 * the clips it already has. (A mistyped {@code --tracks 600000000} planned for minutes without a word and would have
 * rendered until the disk was full.)
 */
class SynthSpaceTest {

    @TempDir
    Path tmp;

    @AfterEach
    void restore() {
        SynthCorpus.usableSpace = dev.mtdtl.data.DiskSpace::usable;
    }

    @Test
    void aCorpusThatCannotFitIsRefusedBeforeAnyWork() throws IOException {
        SynthConfig cfg = SynthConfig.of(1, 1000, 10);
        long need = SynthCorpus.audioBytesAtLeast(cfg);
        // 1,000 learning + 300 emotion + 300 recommendation clips of 10 s: 220,544 bytes each
        assertEquals(1600L * (44 + 4 * 220_500), need);
        SynthCorpus.usableSpace = d -> need - 1;
        Path out = tmp.resolve("c");
        IOException e = assertThrows(IOException.class, () -> SynthCorpus.generate(cfg, out, s -> { }));
        assertEquals(out + ": the corpus needs at least 1.41 GB of audio (1,000 learning, 300 emotion and 300 "
                + "recommendation clips of 10 s, 16-bit stereo at 22,050 Hz) and its file system has 1.41 GB free; lower "
                + "--tracks or --seconds, or free space", e.getMessage());
        try (var files = Files.list(out)) {
            assertEquals(List.of(), files.toList(), "nothing written");
        }
        SynthCorpus.usableSpace = d -> need;
        assertDoesNotThrow(() -> SynthCorpus.checkSpace(cfg, out));
        SynthCorpus.usableSpace = d -> 0;   // a file system that cannot tell
        assertDoesNotThrow(() -> SynthCorpus.checkSpace(cfg, out));
    }

    @Test
    void aResumedCorpusCountsTheClipsItHas() throws IOException {
        SynthConfig cfg = SynthConfig.of(1, 1000, 10);
        long need = SynthCorpus.audioBytesAtLeast(cfg);
        Path out = tmp.resolve("c");
        Files.createDirectories(out.resolve("learning/audio"));
        Files.write(out.resolve("learning/audio/t0.wav"), new byte[1000]);
        SynthCorpus.usableSpace = d -> need - 1000;
        assertDoesNotThrow(() -> SynthCorpus.checkSpace(cfg, out));
        SynthCorpus.usableSpace = d -> need - 1001;
        IOException e = assertThrows(IOException.class, () -> SynthCorpus.checkSpace(cfg, out));
        assertEquals(true, e.getMessage().contains("22,050 Hz), 0.00 GB of it already written, and its file system"),
                e.getMessage());
    }
}

package dev.mtdtl.cli;

import dev.mtdtl.tensor.io.Npy;
import dev.mtdtl.tensor.test.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AudioFeatureCommandsTest {

    @TempDir
    Path tmp;

    @Test
    void melAndMfccOfTheFixtureAudio() throws Exception {
        Path wav = Fixtures.dir().resolve("dsp_audio/audio.wav");
        Path mel = tmp.resolve("a.npy");
        assertEquals(0, Main.run("mel", "--in", wav.toString(), "--out", mel.toString()));
        Npy.Array m = Npy.read(mel);
        assertArrayEquals(new int[]{2, 1 + 66150 / 256, 128}, m.shape());
        double max = Double.NEGATIVE_INFINITY;
        double min = Double.POSITIVE_INFINITY;
        for (double v : m.values()) {
            max = Math.max(max, v);
            min = Math.min(min, v);
        }
        assertTrue(max - min <= 80.0 + 1e-3, "top_db 80 clips the dynamic range: " + (max - min));
        Path mf = tmp.resolve("b.npy");
        assertEquals(0, Main.run("mfcc", "--in", wav.toString(), "--out", mf.toString()));
        assertArrayEquals(new int[]{120}, Npy.read(mf).shape());
    }

    @Test
    void aFolderSkipsBadFilesListsThemAndWritesTheRest() throws Exception {
        Path in = tmp.resolve("in");
        Files.createDirectories(in.resolve("sub"));
        Files.copy(Fixtures.dir().resolve("dsp_audio/audio.wav"), in.resolve("sub/good.wav"));
        Files.write(in.resolve("bad.wav"), new byte[]{'R', 'I', 'F', 'F', 1, 2});
        Path out = tmp.resolve("out");
        assertEquals(1, Main.run("mel", "--in", in.toString(), "--out", out.toString()));
        assertTrue(Files.isRegularFile(out.resolve("sub/good.npy")));
        assertFalse(Files.exists(out.resolve("bad.npy")), "no partial output for a bad file");
        String list = Files.readString(out.resolve("skipped.txt"));
        assertTrue(list.startsWith("bad.wav\t") && list.lines().count() == 1, list);
        Files.copy(Fixtures.dir().resolve("dsp_audio/audio.wav"), in.resolve("bad.wav"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertEquals(0, Main.run("mel", "--in", in.toString(), "--out", out.toString()));
        assertTrue(Files.isRegularFile(out.resolve("bad.npy")), "the mended file is tried again");
        assertFalse(Files.exists(out.resolve("skipped.txt")), "nothing skipped: the list is gone");
    }

    /**
     * A damaged file of a folder is written (a FLAC frame silenced), its decoder says so on standard error, and the
     * summary counts it; the others are not counted.
     */
    @Test
    void aFolderCountsItsDamagedFiles() throws Exception {
        Path in = tmp.resolve("hurt");
        Files.createDirectories(in);
        Files.copy(Fixtures.dir().resolve("dsp_audio/audio.wav"), in.resolve("good.wav"));
        Files.write(in.resolve("ok.flac"), dev.mtdtl.dsp.TestAudio.damagedFlac(10, 1));
        Files.write(in.resolve("bad.flac"), dev.mtdtl.dsp.TestAudio.damagedFlac(10, 2, 4));
        Path out = tmp.resolve("hurt-out");
        java.io.PrintStream o = System.out;
        java.io.ByteArrayOutputStream said = new java.io.ByteArrayOutputStream();
        System.setOut(new java.io.PrintStream(said, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            assertEquals(0, Main.run("mel", "--in", in.toString(), "--out", out.toString()));
        } finally {
            System.setOut(o);
        }
        String s = said.toString(java.nio.charset.StandardCharsets.UTF_8).strip();
        assertTrue(s.endsWith("3 files written to " + out + ", 0 kept from an earlier run, 0 skipped; 1 of those "
                + "written had damaged audio (their lines above say what the decoder left out)"), s);
        assertTrue(Files.isRegularFile(out.resolve("bad.npy")));
    }

    /**
     * A folder runs its compressed files a group at a time, one a thread (a WAV alone): the outputs are the same bytes
     * for 1 and 3 threads, and the bad files are reported in the folder's order either way. The MP3 (LAME, 0.5 s) is a
     * copy of dsp's codec test file.
     */
    @Test
    void aFolderGivesTheSameFilesAtAnyThreadCount() throws Exception {
        Path in = tmp.resolve("several");
        Files.createDirectories(in);
        byte[] one;
        try (java.io.InputStream s = AudioFeatureCommandsTest.class.getResourceAsStream("lame-44k-stereo.mp3")) {
            one = s.readAllBytes();
        }
        for (String name : new String[] {"a.mp3", "b.mp3", "d.mp3", "g.mp3"}) {
            byte[] many = new byte[(name.charAt(0) - 'a' + 2) * one.length];   // 1 to 4 s: MP3 frames in a row
            for (int k = 0; k < many.length; k += one.length) {
                System.arraycopy(one, 0, many, k, one.length);
            }
            Files.write(in.resolve(name), many);
        }
        Files.copy(Fixtures.dir().resolve("dsp_audio/audio.wav"), in.resolve("e.wav"));
        Files.write(in.resolve("c.mp3"), java.util.Arrays.copyOf(one, 300));   // no whole frame: refused
        Files.write(in.resolve("f.wav"), new byte[]{'R', 'I', 'F', 'F', 3, 4});
        int before = dev.mtdtl.tensor.Parallel.threads();
        try {
            runAtThreadCounts(in);
        } finally {
            dev.mtdtl.tensor.Parallel.setThreads(before);
        }
    }

    private void runAtThreadCounts(Path in) throws Exception {
        for (String command : new String[] {"mel", "mfcc"}) {
            String[] report = new String[2];
            java.util.Map<String, byte[]> first = new java.util.TreeMap<>();
            int t = 0;
            for (String threads : new String[] {"1", "3"}) {
                Path out = tmp.resolve(command + "-" + threads);
                java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
                java.io.PrintStream was = System.err;
                System.setErr(new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
                try {
                    assertEquals(1, Main.run(command, "--in", in.toString(), "--out", out.toString(), "--threads",
                            threads));
                } finally {
                    System.setErr(was);
                }
                report[t++] = err.toString(java.nio.charset.StandardCharsets.UTF_8);
                for (String name : new String[] {"a", "b", "d", "e", "g"}) {   // groups at 3 threads: a-c, d, e, f, g
                    byte[] bytes = Files.readAllBytes(out.resolve(name + ".npy"));
                    byte[] had = first.putIfAbsent(name, bytes);
                    if (had != null) {
                        assertArrayEquals(had, bytes, command + " " + name + " at " + threads + " threads");
                    }
                }
            }
            assertEquals(report[0], report[1], command);
            assertTrue(report[0].indexOf("c.mp3") >= 0 && report[0].indexOf("c.mp3") < report[0].indexOf("f.wav"),
                    report[0]);
        }
    }

    /** A folder with no audio this engine reads is an error saying what it holds (it was "0 files written", status 0). */
    @Test
    void aFolderOfFormatsNoDecoderReadsIsRefused() throws Exception {
        Path in = tmp.resolve("m4a");
        Files.createDirectories(in);
        Files.write(in.resolve("a.m4a"), new byte[50]);
        Path out = tmp.resolve("out-m4a");
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        java.io.PrintStream was = System.err;
        System.setErr(new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            assertEquals(1, Main.run("mel", "--in", in.toString(), "--out", out.toString()));
        } finally {
            System.setErr(was);
        }
        assertTrue(err.toString(java.nio.charset.StandardCharsets.UTF_8).contains(in + ": no audio files (.wav, .flac, "
                + ".mp3, .ogg, .oga, .aif, .aiff, .aifc, .au, .snd, in it or its subfolders); it holds 1 .m4a file, a "
                + "format this engine does not decode (convert it, e.g. ffmpeg -i FILE FILE.flac)"), err.toString());
        assertFalse(Files.exists(out), "nothing written");
    }

    @Test
    void aFolderRunResumesKeepsItsSettingsAndRefusesTwoInputsForOneOutput() throws Exception {
        Path in = tmp.resolve("in");
        Files.createDirectories(in.resolve("sub"));
        Path wav = Fixtures.dir().resolve("dsp_audio/audio.wav");
        Files.copy(wav, in.resolve("a.wav"));
        Files.copy(wav, in.resolve("sub/b.wav"));
        Path out = tmp.resolve("out");
        assertEquals(0, Main.run("mfcc", "--in", in.toString(), "--out", out.toString()));
        Path a = out.resolve("a.npy");
        Path b = out.resolve("sub/b.npy");
        byte[] bBytes = Files.readAllBytes(b);
        // a killed run's temporary goes, a finished output stays as it is, a changed input is done again
        Path stale = out.resolve("sub/.b.npy.1f2e.tmp");
        Files.writeString(stale, "half");
        java.nio.file.attribute.FileTime old = java.nio.file.attribute.FileTime.fromMillis(1_000_000L);
        Files.setLastModifiedTime(a, old);
        Files.setLastModifiedTime(in.resolve("a.wav"), old);
        Files.setLastModifiedTime(b, old);
        assertEquals(0, Main.run("mfcc", "--in", in.toString(), "--out", out.toString()));
        assertFalse(Files.exists(stale));
        assertEquals(old, Files.getLastModifiedTime(a), "kept: written no earlier than its input");
        assertTrue(Files.getLastModifiedTime(b).compareTo(old) > 0, "redone: its input is newer");
        assertArrayEquals(bBytes, Files.readAllBytes(b));
        // other settings into the same folder: refused, nothing written
        assertEquals(1, Main.run("mfcc", "--in", in.toString(), "--out", out.toString(), "--pad", "constant"));
        assertEquals(1, Main.run("mel", "--in", in.toString(), "--out", out.toString()));
        assertEquals(old, Files.getLastModifiedTime(a));
        // x.wav beside x.mp3 would both be written to x.npy
        Files.copy(wav, in.resolve("a.mp3"));
        assertEquals(1, Main.run("mfcc", "--in", in.toString(), "--out", tmp.resolve("out2").toString()));
        assertFalse(Files.exists(tmp.resolve("out2")));
    }
}

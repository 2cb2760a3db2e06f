package dev.mtdtl.dsp;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A folder's audio: every depth, the decoder's extensions in any case, hidden files and folders left out. */
class AudioFilesTest {

    @TempDir
    Path tmp;

    @Test
    void subfoldersExtensionsAndHiddenNames() throws IOException {
        for (String f : new String[]{"b/t.WAV", "b/c/u.flac", "a.mp3", "z.ogg", "x.aiff", "x.aif", "y.au", "y.snd",
                "cover.jpg", "notes", "b/._t.wav", ".hidden/v.wav", "b/.cache/w.mp3"}) {
            Path p = tmp.resolve(f);
            Files.createDirectories(p.getParent());
            Files.writeString(p, f);
        }
        List<String> got = AudioFiles.under(tmp, Comparator.naturalOrder()).stream()
                .map(p -> tmp.relativize(p).toString().replace('\\', '/')).toList();
        assertEquals(List.of("a.mp3", "b/c/u.flac", "b/t.WAV", "x.aif", "x.aiff", "y.au", "y.snd", "z.ogg"), got);
        assertTrue(AudioFiles.hasAudioName(Path.of("Song.Mp3")));
        assertTrue(!AudioFiles.hasAudioName(Path.of("wav")));
        IOException e = assertThrows(IOException.class, () -> AudioFiles.under(tmp.resolve("a.mp3"), Comparator.naturalOrder()));
        assertTrue(e.getMessage().contains("a.mp3: not a folder"), e.getMessage());
    }

    @Test
    void linkedFoldersAreFollowedAndALoopIsNamed() throws IOException {
        Path data = tmp.resolve("store");
        for (String f : new String[]{"blues/b1.wav", "rock/r1.wav"}) {
            Files.createDirectories(data.resolve(f).getParent());
            Files.writeString(data.resolve(f), f);
        }
        Path root = tmp.resolve("root");   // a folder of links to class folders
        Files.createDirectories(root);
        Files.createSymbolicLink(root.resolve("blues"), data.resolve("blues"));
        Files.createSymbolicLink(root.resolve("rock"), data.resolve("rock"));
        Path link = Files.createSymbolicLink(tmp.resolve("dataset"), root);   // the dataset itself a link
        List<String> got = AudioFiles.under(link, Comparator.naturalOrder()).stream()
                .map(p -> link.relativize(p).toString().replace('\\', '/')).toList();
        assertEquals(List.of("blues/b1.wav", "rock/r1.wav"), got);
        Files.createSymbolicLink(data.resolve("rock/again"), root);   // root/rock/again -> root
        IOException e = assertThrows(IOException.class, () -> AudioFiles.under(root, Comparator.naturalOrder()));
        assertTrue(e.getMessage().contains("symbolic links loop at"), e.getMessage());
    }
}

package dev.mtdtl.cli;

import dev.mtdtl.embed.EmbedMain;
import dev.mtdtl.embed.Embedder;
import dev.mtdtl.tensor.Parallel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code mtdtl embed}: audio files to track vectors with a one-file model (library: embed/). */
@Command(name = "embed", mixinStandardHelpOptions = true,
        description = {"Embed an audio file, or every audio file under a folder (its subfolders too, hidden files "
                + "aside, sorted by path), with a model file from mtdtl export: VECTORS.npy (N, D) float32 and "
                + "VECTORS.npy.tracks.txt (the files' paths under the folder, in row order).",
                "No prepared folder is needed. The vectors are those mtdtl extract computes for the same audio.",
                "A file that cannot be decoded is skipped (a line says why; VECTORS.npy.skipped.txt lists them; "
                + "exit status 1); files embedded from damaged audio are listed in VECTORS.npy.damaged.txt.",
                "Resumable: a killed run, or one that skipped files, keeps the finished files' vectors in "
                + "VECTORS.npy.part*; the same command goes on from there (embedding only the files mended since)."})
final class EmbedCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, paramLabel = "FILE", description = "model.mtdtl")
    Path model;

    @Option(names = "--in", required = true, paramLabel = "FILE|DIR",
            description = "WAV, FLAC, MP3, Ogg Vorbis, AIFF or AU file, or a folder")
    Path in;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "vectors.npy")
    Path out;

    @Option(names = "--threads", description = "CPU threads (default: all cores, or MTDTL_THREADS)")
    Integer threads;

    @Override
    public Integer call() throws Exception {
        if (threads != null) {
            Parallel.setThreads(threads);
        }
        return EmbedMain.embedAll(Embedder.load(model), in, out, System.out) > 0 ? 1 : 0;
    }
}

package dev.mtdtl.cli;

import dev.mtdtl.data.importers.FolderImporter;
import dev.mtdtl.data.importers.LastFm1kImporter;
import dev.mtdtl.data.importers.MsdImporter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code mtdtl import gtzan|folder|msd|lastfm1k}: real datasets into the corpus layout of {@code synth}
 * (docs/corpus.md), so {@code prepare} reads them. Each adds to the manifest of {@code --corpus} (created
 * when missing): msd sets the learning corpus, the others add a target dataset. Audio is read in place.
 */
@Command(name = "import", mixinStandardHelpOptions = true,
        description = "Import a real dataset into a corpus folder (the synth layout), for prepare.",
        subcommands = {ImportCommand.Gtzan.class, ImportCommand.Folder.class, ImportCommand.Msd.class,
                ImportCommand.LastFm1k.class})
final class ImportCommand implements Runnable {

    @Override
    public void run() {
        System.err.println("mtdtl import: name a dataset kind: gtzan, folder, msd, lastfm1k (see --help)");
    }

    abstract static class Base implements Callable<Integer> {
        @Option(names = "--corpus", required = true, paramLabel = "DIR", description = "corpus folder (created or extended)")
        Path corpus;

        @Option(names = "--seed", defaultValue = "1", description = "seed of generated folds (default ${DEFAULT-VALUE})")
        long seed;

        abstract String doImport() throws IOException;

        @Override
        public Integer call() {
            try {
                System.out.println(doImport());
                return 0;
            } catch (IllegalArgumentException | IllegalStateException | IOException | UncheckedIOException e) {
                System.err.println("mtdtl import: " + e.getMessage());
                return 1;
            }
        }
    }

    @Command(name = "gtzan", mixinStandardHelpOptions = true,
            description = "Folder per class (ROOT/CLASS/FILE.wav) as a classification target, stratified 5 folds.")
    static final class Gtzan extends Base {
        @Option(names = "--root", required = true, paramLabel = "DIR", description = "one folder per class, audio "
                + "files in it (searched recursively)") Path root;
        @Option(names = "--name", defaultValue = "genre", description = "the target dataset's name (default "
                + "${DEFAULT-VALUE})") String name;
        @Option(names = "--label", defaultValue = "genre", description = "label column name (default "
                + "${DEFAULT-VALUE})") String label;

        String doImport() throws IOException {
            return corpus + ": " + FolderImporter.gtzan(root, corpus, name, label, seed) + " tracks in targets/" + name;
        }
    }

    @Command(name = "folder", mixinStandardHelpOptions = true,
            description = "Audio folder + labels CSV (file,label...) + optional split CSV (file,split[,fold]).")
    static final class Folder extends Base {
        @Option(names = "--root", required = true, paramLabel = "DIR", description = "the audio files (searched "
                + "recursively; a file's name without extension is its track id)") Path root;
        @Option(names = "--labels", required = true, paramLabel = "CSV", description = "file,label[,label...]: one row "
                + "per track, a header naming the label columns") Path labels;
        @Option(names = "--split", paramLabel = "CSV", description = "file,split[,fold] with split train, valid or "
                + "test (default: stratified 5 folds drawn with --seed)") Path split;
        @Option(names = "--name", required = true, description = "the target dataset's name") String name;

        String doImport() throws IOException {
            return corpus + ": " + FolderImporter.labelled(root, labels, split, corpus, name, seed) + " tracks in targets/"
                    + name;
        }
    }

    @Command(name = "msd", mixinStandardHelpOptions = true,
            description = "The learning corpus from MSD-style files (previews named TRACKID.ext; every source optional).")
    static final class Msd extends Base {
        @Option(names = "--audio", required = true, paramLabel = "DIR", description = "previews named TRACKID.ext "
                + "(searched recursively)") Path audio;
        @Option(names = "--unique-tracks", paramLabel = "FILE", description = "unique_tracks.txt: "
                + "tid<SEP>song<SEP>artist<SEP>title (the artist source; needed by --taste)") Path unique;
        @Option(names = "--tags", paramLabel = "FILE", description = "tid TAB tag TAB count") Path tags;
        @Option(names = "--taste", paramLabel = "FILE", description = "Taste Profile user TAB song TAB plays") Path taste;
        @Option(names = "--mxm", paramLabel = "FILE", description = "musiXmatch bag-of-words") Path mxm;
        @Option(names = "--years", paramLabel = "FILE", description = "tracks_per_year.txt") Path years;
        @Option(names = "--bpm", paramLabel = "FILE", description = "tid TAB bpm") Path bpm;
        @Option(names = "--cdr", paramLabel = "FILE", description = "tagtraum CD2C .cls") Path cdr;

        String doImport() throws IOException {
            MsdImporter.Learning r = MsdImporter.learning(audio, new MsdImporter.Files7(unique, tags, taste, mxm, years,
                    bpm, cdr), corpus);
            return corpus + ": learning corpus of " + r.tracks() + " tracks" + (r.unlisted() == 0 ? ""
                    : String.format(java.util.Locale.ROOT, " (%,d of them named by no track id of %s: no artist, no "
                    + "labels)", r.unlisted(), unique));
        }
    }

    @Command(name = "lastfm1k", mixinStandardHelpOptions = true,
            description = "Last.fm-1K listening log as a recommendation target (audio files named by track MBID).")
    static final class LastFm1k extends Base {
        @Option(names = "--log", required = true, paramLabel = "FILE", description = "userid-timestamp-artid-artname-"
                + "traid-traname.tsv") Path log;
        @Option(names = "--audio", required = true, paramLabel = "DIR", description = "audio files named by track "
                + "MBID (searched recursively)") Path audio;
        @Option(names = "--name", defaultValue = "recsys", description = "the target dataset's name (default "
                + "${DEFAULT-VALUE})") String name;

        String doImport() throws IOException {
            LastFm1kImporter.Result r = LastFm1kImporter.recsys(log, audio, corpus, name, seed);
            return corpus + ": " + r.tracks() + " tracks, " + r.users() + " users, " + r.interactions()
                    + " interactions (" + r.dropped() + " events without a track id or audio dropped)";
        }
    }
}

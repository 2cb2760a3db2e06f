package dev.mtdtl.data.synth;

import java.util.List;
import java.util.Locale;

/**
 * Ground-truth rows: every latent of a song and every signature field of an artist, as TSV columns
 * (names documented in docs/corpus.md). Categorical latents are written by name, -1 means "none".
 * Omitted: the note-level score (it is regenerated from {@code seed} by {@link Composer}).
 */
final class Truth {

    static final String[] SONG_COLUMNS = {"track_id", "artist_id", "genre", "style", "dance", "instrument", "year",
            "tempo", "meter", "swing", "drums", "bass", "harmony", "key", "mode", "arousal", "valence", "valence_audio",
            "valence_hidden", "lead_program", "chords_program", "bass_program", "pad_program", "acc_program",
            "lead_center", "lead_db", "density", "soundbank", "lowpass_hz", "tilt_db", "width", "reverb", "comp_ratio",
            "noise_db", "crackle", "level_db", "excerpt_bars", "popularity", "seed"};

    static final String[] ARTIST_COLUMNS = {"artist_id", "name", "genre", "style", "popularity", "career_start",
            "career_length", "soundbank", "lead_program", "chords_program", "bass_program", "pad_program", "tilt_db",
            "reverb", "tempo_factor", "key", "vocal", "topic", "tracks"};

    private Truth() {}

    static String[] song(Song s, List<String> bankNames) {
        Production p = s.production();
        return new String[]{s.id(), s.artist(), s.genre() < 0 ? "-1" : Styles.GENRES.get(s.genre()).name(),
                s.genre() < 0 || s.style() < 0 ? "-1" : Styles.GENRES.get(s.genre()).styles()[s.style()],
                s.dance() < 0 ? "-1" : Styles.DANCES.get(s.dance()).name(),
                s.leadClass() < 0 ? "-1" : Styles.INSTRUMENTS.get(s.leadClass()).name(),
                Integer.toString(s.year()), f(s.tempo()), s.meter().label, f(s.swing()), s.drums().name(),
                s.bass().name(), s.harmony().name(), Integer.toString(s.key()), s.minor() ? "minor" : "major",
                f(s.arousal()), f(s.valence()), f(s.valenceAudio()), f(s.valenceHidden()), Integer.toString(s.lead()),
                Integer.toString(s.chords()), Integer.toString(s.bassProgram()), Integer.toString(s.pad()),
                Integer.toString(s.acc()), Integer.toString(s.leadCenter()), f(s.leadDb()), f(s.density()),
                bankNames.get(s.bank()), f(p.lowpassHz()), f(p.tiltDb()), f(p.width()), f(p.reverb()), f(p.compRatio()),
                f(p.noiseDb()), f(p.crackle()), f(p.levelDb()), Integer.toString(s.excerpt()), f(s.popularity()), Long.toString(s.seed())};
    }

    static String[] artist(World.Artist a, List<String> bankNames) {
        return new String[]{a.id(), a.name(), Styles.GENRES.get(a.genre()).name(),
                Styles.GENRES.get(a.genre()).styles()[a.style()], f(a.popularity()), Integer.toString(a.careerStart()),
                Integer.toString(a.careerLength()), bankNames.get(a.bank()), Integer.toString(a.lead()),
                Integer.toString(a.chords()), Integer.toString(a.bass()), Integer.toString(a.pad()), f(a.tilt()),
                f(a.reverb()), f(a.tempoFactor()), Integer.toString(a.key()), Boolean.toString(a.vocal()),
                Lyrics.TOPICS[a.topic()], Integer.toString(a.tracks())};
    }

    static String f(double x) {
        return String.format(Locale.ROOT, "%.4f", x);
    }
}

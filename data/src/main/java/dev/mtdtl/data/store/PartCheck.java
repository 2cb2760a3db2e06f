package dev.mtdtl.data.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Whether an unfinished mel store's progress file agrees with its parts ({@link MelStoreWriter}'s resume). The parts'
 * bytes are checked by their CRC-32s, but the progress file's own fields are not: its count of tracks done and its
 * lists of failures and damaged tracks were taken on trust, so a progress file damaged in one of them (a fuzzing
 * hunt's first cases, 2026-12-08) resumed at the wrong track, and the build sealed a store whose header disagreed with
 * its index ("all.index.tsv: 11 rows, all.json field tracks says 12"): an error for every later reader, far from the
 * cause. The recorded index rows must be exactly the first {@code done} tracks less the failures, in order, each at
 * the offset where the previous one ended, and together as long as the recorded data; the failures distinct tracks
 * among the first {@code done}; the damaged tracks among the rows.
 */
final class PartCheck {

    private PartCheck() {}

    /**
     * Null when the progress agrees with the index part's first {@code indexBytes} bytes; else what disagrees. {@code
     * dataElems}: the recorded data part's values; {@code perFrame}: values a frame of a track takes (channels x mels).
     */
    static String mismatch(Path indexPart, long indexBytes, List<MelStoreWriter.Track> tracks, int done,
                           List<MelStoreWriter.Failure> failures, List<MelStoreWriter.Damaged> damaged, long dataElems,
                           long perFrame) throws IOException {
        if (indexBytes > Integer.MAX_VALUE - 16) {
            return "an index part of " + indexBytes + " bytes";
        }
        byte[] b = new byte[(int) indexBytes];
        try (FileChannel ch = FileChannel.open(indexPart)) {
            ByteBuffer bb = ByteBuffer.wrap(b);
            while (bb.hasRemaining() && ch.read(bb, bb.position()) >= 0) {
                // a positional read may return fewer bytes than asked; the CRC check read this prefix already
            }
        }
        String[] lines = new String(b, StandardCharsets.UTF_8).split("\n", -1);
        if (lines.length < 2 || !lines[0].equals("track_id\toffset\tframes") || !lines[lines.length - 1].isEmpty()) {
            return "the index part's recorded bytes are not its header and whole rows";
        }
        Set<String> failed = new HashSet<>();
        int f = 0;   // failures are recorded in track order
        int row = 1;
        long offset = 0;
        Set<String> stored = new HashSet<>();
        for (int t = 0; t < done; t++) {
            String id = tracks.get(t).id();
            if (f < failures.size() && failures.get(f).track().equals(id)) {
                failed.add(id);
                f++;
                continue;
            }
            if (row >= lines.length - 1) {
                return "done " + done + ", but the index part ends before track " + id;
            }
            String[] v = lines[row++].split("\t", -1);
            long frames;
            try {
                if (v.length != 3 || !v[0].equals(id) || Long.parseLong(v[1]) != offset) {
                    return "row " + row + " of the index part is not track " + id + " at offset " + offset;
                }
                frames = Long.parseLong(v[2]);
            } catch (NumberFormatException e) {
                return "row " + row + " of the index part is not track " + id + " at offset " + offset;
            }
            if (frames < 1) {
                return "row " + row + " of the index part has " + frames + " frames";
            }
            offset += frames * perFrame;
            stored.add(id);
        }
        if (f != failures.size()) {
            return "failure " + (f + 1) + " (track " + failures.get(f).track() + ") is not among the first " + done
                    + " tracks in order";
        }
        if (row != lines.length - 1) {
            return "the index part holds " + (lines.length - 2) + " rows, more than the " + done + " tracks done less "
                    + failed.size() + " failures";
        }
        if (offset != dataElems) {
            return "the index part's rows end at value " + offset + ", the recorded data at " + dataElems;
        }
        for (MelStoreWriter.Damaged d : damaged) {
            if (!stored.contains(d.track())) {
                return "damaged track " + d.track() + " is not among the tracks stored";
            }
        }
        return null;
    }
}

package dev.mtdtl.data.synth;

import java.util.Arrays;

/**
 * A clip as timed MIDI short messages: time in microseconds from the clip start, status byte (with the
 * channel), two data bytes. Events are kept in insertion order and sorted stably by time before
 * rendering, so two events at the same microsecond keep their order (program change before note).
 *
 * <p>Omitted: system-exclusive and meta events (tempo is already resolved to microseconds).
 */
final class Score {

    static final int NOTE_ON = 0x90;
    static final int NOTE_OFF = 0x80;
    static final int CONTROL = 0xB0;
    static final int PROGRAM = 0xC0;
    static final int PITCH_BEND = 0xE0;
    static final int DRUMS = 9;

    private long[] time = new long[256];
    private int[] msg = new int[256];   // status | data1 << 8 | data2 << 16
    private int n;

    void add(long us, int status, int channel, int d1, int d2) {
        if (n == time.length) {
            time = Arrays.copyOf(time, 2 * n);
            msg = Arrays.copyOf(msg, 2 * n);
        }
        time[n] = Math.max(0, us);
        msg[n] = (status | channel) | (clamp7(d1) << 8) | (clamp7(d2) << 16);
        n++;
    }

    /** A note with its note-off {@code durUs} later. */
    void note(long us, int channel, int key, int velocity, long durUs) {
        add(us, NOTE_ON, channel, key, Math.max(1, clamp7(velocity)));
        add(us + Math.max(1000, durUs), NOTE_OFF, channel, key, 0);
    }

    int size() {
        return n;
    }

    /** Indices of the events in time order (stable). */
    int[] order() {
        Integer[] idx = new Integer[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        Arrays.sort(idx, (a, b) -> Long.compare(time[a], time[b]));
        int[] o = new int[n];
        for (int i = 0; i < n; i++) {
            o[i] = idx[i];
        }
        return o;
    }

    long time(int i) {
        return time[i];
    }

    int status(int i) {
        return msg[i] & 0xFF;
    }

    int data1(int i) {
        return (msg[i] >>> 8) & 0x7F;
    }

    int data2(int i) {
        return (msg[i] >>> 16) & 0x7F;
    }

    private static int clamp7(int v) {
        return Math.max(0, Math.min(127, v));
    }
}

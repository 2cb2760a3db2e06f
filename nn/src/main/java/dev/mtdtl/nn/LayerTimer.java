package dev.mtdtl.nn;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Wall-clock time per layer and direction, for finding where a training step spends its time.
 * Attach with {@link BaseCnn#setTimer}; costs two System.nanoTime calls per layer call.
 */
public final class LayerTimer {

    private final Map<String, long[]> nanos = new LinkedHashMap<>();   // name -> {total ns, calls}

    void add(String name, long ns) {
        long[] a = nanos.computeIfAbsent(name, k -> new long[2]);
        a[0] += ns;
        a[1]++;
    }

    public void reset() {
        nanos.clear();
    }

    /** A table: name, calls, mean ms per call, share of the total. */
    public String table() {
        long total = 0;
        for (long[] a : nanos.values()) {
            total += a[0];
        }
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-22s %6s %10s %7s%n", "layer", "calls", "ms/call", "share"));
        for (Map.Entry<String, long[]> e : nanos.entrySet()) {
            long[] a = e.getValue();
            sb.append(String.format(Locale.ROOT, "%-22s %6d %10.2f %6.1f%%%n", e.getKey(), a[1], a[0] / 1e6 / a[1],
                    100.0 * a[0] / Math.max(1, total)));
        }
        return sb.toString();
    }
}

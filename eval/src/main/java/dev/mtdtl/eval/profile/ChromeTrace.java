package dev.mtdtl.eval.profile;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The profile's last repeat of each phase as Chrome trace-event JSON (the "JSON object format": a
 * {@code traceEvents} array of complete events, {@code ph = "X"}, times in microseconds), which Perfetto
 * (ui.perfetto.dev) and chrome://tracing open. One track per issuing thread on the CPU; on a GPU the ops run
 * on the device's one stream, so they go on a track named after the stream, and the phases (train step,
 * inference) are enclosing events on the same track. Each op event carries its shapes, FLOPs and bytes.
 */
public final class ChromeTrace {

    private ChromeTrace() {}

    public static String json(Profile p, boolean gpu) {
        List<Object> events = new ArrayList<>();
        Map<String, Integer> tids = new LinkedHashMap<>();
        for (Profile.Phase ph : p.phases()) {
            List<ProfilingDevice.OpCall> calls = ph.lastRun();
            if (calls.isEmpty()) {
                continue;
            }
            ProfilingDevice.OpCall first = calls.get(0), last = calls.get(calls.size() - 1);
            String track = gpu ? p.device() + " stream 0" : "thread " + first.thread();
            int tid = tids.computeIfAbsent(track, k -> tids.size() + 1);
            events.add(event(ph.name(), "phase", first.startNs(), last.startNs() + last.nanos() - first.startNs(), tid,
                    Map.of()));
            for (ProfilingDevice.OpCall c : calls) {
                int t = tids.computeIfAbsent(gpu ? track : "thread " + c.thread(), k -> tids.size() + 1);
                Map<String, Object> args = new LinkedHashMap<>();
                args.put("shapes", c.detail());
                args.put("flops", c.flops());
                args.put("bytes", c.bytes());
                events.add(event(c.op(), c.op().contains(".") ? c.op().substring(0, c.op().indexOf('.')) : c.op(),
                        c.startNs(), c.nanos(), t, args));
            }
        }
        for (Map.Entry<String, Integer> e : tids.entrySet()) {   // metadata: the tracks' names
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", "thread_name");
            m.put("ph", "M");
            m.put("pid", 1);
            m.put("tid", e.getValue());
            m.put("args", Map.of("name", e.getKey()));
            events.add(m);
        }
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("traceEvents", events);
        root.put("displayTimeUnit", "ms");
        return dev.mtdtl.tensor.io.Json.write(root, 0) + "\n";
    }

    private static Map<String, Object> event(String name, String cat, long startNs, long durNs, int tid,
                                             Map<String, Object> args) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("cat", cat);
        m.put("ph", "X");
        m.put("ts", startNs / 1e3);
        m.put("dur", durNs / 1e3);
        m.put("pid", 1);
        m.put("tid", tid);
        if (!args.isEmpty()) {
            m.put("args", args);
        }
        return m;
    }
}

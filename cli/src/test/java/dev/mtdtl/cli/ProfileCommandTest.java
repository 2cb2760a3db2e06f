package dev.mtdtl.cli;

import dev.mtdtl.tensor.io.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** mtdtl profile on the CPU writes the table, profile.json, the roofline page and the trace; a missing GPU is a reason. */
class ProfileCommandTest {

    @TempDir
    Path tmp;

    @Test
    void profilesAStepAndWritesEveryOutput() throws Exception {
        Path out = tmp.resolve("p");
        Path trace = tmp.resolve("trace.json");
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true));
        int rc;
        try {
            rc = Main.run("profile", "--device", "cpu", "--batch", "2", "--warmup", "0", "--repeats", "1", "--threads", "2",
                    "--strategy", "ssr", "--sources", "tag", "--out", out.toString(), "--trace", trace.toString());
        } finally {
            System.setOut(old);
        }
        assertEquals(0, rc, buf.toString());
        String table = buf.toString();
        assertTrue(table.contains("conv.bwd_filter") && table.contains("adam") && table.contains("GFLOP/s"), table);
        Map<String, Object> j = Json.parseObject(Files.readString(out.resolve("profile.json")), "profile.json");
        assertEquals("ssr", j.get("strategy"));
        // on the CPU the profiler's own uploads are not work a CPU run does: no copies are listed
        assertTrue(!Files.readString(out.resolve("profile.json")).contains("copy.h2d"));
        assertEquals(3, ((List<?>) j.get("phases")).size());   // the step, inference, the audio front end
        assertTrue(table.contains("front_end") && table.contains("resample") && table.contains("dbmel"), table);
        assertTrue(Files.readString(out.resolve("profile.html")).contains("<svg"));
        assertTrue(((List<?>) Json.parseObject(Files.readString(trace), "trace").get("traceEvents")).size() > 50);
    }

    @Test
    void noFrontEndProfilesTheNetworkOnly() throws Exception {
        Path out = tmp.resolve("n");
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true));
        int rc;
        try {
            rc = Main.run("profile", "--device", "cpu", "--batch", "2", "--warmup", "0", "--repeats", "1",
                    "--no-front-end", "--out", out.toString());
        } finally {
            System.setOut(old);
        }
        assertEquals(0, rc, buf.toString());
        Map<String, Object> j = Json.parseObject(Files.readString(out.resolve("profile.json")), "profile.json");
        assertEquals(2, ((List<?>) j.get("phases")).size());
        assertTrue(!buf.toString().contains("front_end"), buf.toString());
    }

    @Test
    void aDeviceThatCannotBeUsedGivesTheReason() {
        PrintStream old = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true));
        int rc;
        try {
            rc = Main.run("profile", "--device", "cuda", "--out", tmp.resolve("q").toString());
        } finally {
            System.setErr(old);
        }
        if (rc == 0) {   // a machine with a usable GPU profiled it: nothing to check here
            return;
        }
        assertEquals(1, rc, err.toString());
        assertTrue(err.toString().contains("no usable GPU"), err.toString());
    }

    @Test
    void aBadWarmupIsAUsageErrorNamingTheOption() {
        PrintStream old = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true));
        int rc;
        try {
            rc = Main.run("profile", "--device", "cpu", "--warmup", "soon", "--out", tmp.resolve("w").toString());
        } finally {
            System.setErr(old);
        }
        assertEquals(1, rc, err.toString());
        assertTrue(err.toString().contains("--warmup") && err.toString().contains("soon"), err.toString());
    }
}

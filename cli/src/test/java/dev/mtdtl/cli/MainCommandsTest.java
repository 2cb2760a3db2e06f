package dev.mtdtl.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Main#commandLine} builds only the subcommand a command line names, and the whole tree where the usage or
 * picocli's suggestions need it; either way the command runs as it did when the tree was always whole.
 */
class MainCommandsTest {

    @Test
    void aNamedCommandIsBuiltAlone() {
        assertTrue(Main.COMMANDS.size() > 15, Main.COMMANDS.keySet().toString());
        for (var e : Main.COMMANDS.entrySet()) {
            if (e.getKey().equals("help")) {
                continue;
            }
            CommandLine cl = Main.commandLine(e.getKey(), "--help");
            assertEquals(List.of(e.getKey()), List.copyOf(cl.getSubcommands().keySet()));
            assertEquals(e.getValue(), cl.getSubcommands().get(e.getKey()).getCommand().getClass());
        }
        assertEquals(List.of(), List.copyOf(Main.commandLine("--version").getSubcommands().keySet()));
        for (String[] whole : new String[][]{{}, {"--help"}, {"help", "mel"}, {"trian"}}) {
            assertEquals(List.copyOf(Main.COMMANDS.keySet()),
                    List.copyOf(Main.commandLine(whole).getSubcommands().keySet()), String.join(" ", whole));
        }
    }

    @Test
    void usageHelpAndSuggestionsSeeEveryCommand() {
        String usage = out(() -> Main.run("--help"), 0, true);
        for (String name : Main.COMMANDS.keySet()) {
            assertTrue(usage.contains("\n  " + name + " "), name + " in the usage:\n" + usage);
        }
        assertTrue(out(() -> Main.run("help", "mel"), 0, true).contains("Usage: mtdtl mel "));
        assertTrue(out(() -> Main.run("mfcc", "--help"), 0, true).contains("Usage: mtdtl mfcc "));
        String typo = out(() -> Main.run("trian", "--steps", "3"), 2, false);
        assertTrue(typo.contains("Unmatched argument") && typo.contains("train"), typo);
        assertTrue(out(() -> Main.run("--version"), 0, true).startsWith("mtdtl "));
    }

    /** What {@code run} printed on stdout (or stderr), its status required to be {@code status}. */
    private static String out(Supplier<Integer> run, int status, boolean stdout) {
        PrintStream o = System.out, e = System.err;
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        PrintStream p = new PrintStream(b, true, StandardCharsets.UTF_8);
        if (stdout) {
            System.setOut(p);
        } else {
            System.setErr(p);
        }
        int got;
        try {
            got = run.get();
        } finally {
            System.setOut(o);
            System.setErr(e);
        }
        String s = b.toString(StandardCharsets.UTF_8);
        assertEquals(status, got, s);
        return s;
    }
}

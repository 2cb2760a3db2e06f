package dev.mtdtl.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code mtdtl} command. Subcommands are thin wiring of the library modules. */
@Command(name = "mtdtl", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Multi-task deep transfer learning for music: learn representations from many sources, "
                + "measure how they transfer.")
public final class Main implements Runnable {

    /**
     * The subcommands by their {@code @Command} names, in the order the usage lists them. Only the one a command line
     * names is built ({@link #commandLine}).
     */
    static final java.util.Map<String, Class<?>> COMMANDS = commands(FixturesCommand.class,
            AudioFeatureCommands.Mel.class, AudioFeatureCommands.Mfcc.class, FactorCommand.class, SynthCommand.class,
            TrainCommand.class, PrepareCommand.class, ImportCommand.class, ExtractCommand.class, EvaluateCommand.class,
            ReportCommand.class, QuickstartCommand.class, StudyCommand.class, StudyAnalyzeCommand.class,
            ProfileCommand.class, ExportCommand.class, EmbedCommand.class, CommandLine.HelpCommand.class);

    private static java.util.Map<String, Class<?>> commands(Class<?>... classes) {
        java.util.Map<String, Class<?>> m = new java.util.LinkedHashMap<>();
        for (Class<?> c : classes) {
            m.put(c.getAnnotation(Command.class).name(), c);   // reads the annotation; no class is initialised
        }
        return java.util.Collections.unmodifiableMap(m);
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /**
     * The command tree for {@code args}: where the first argument names a subcommand, the top command with that one
     * alone; else (no argument, an option such as {@code --help}, {@code help}, a name that is no command) with every
     * subcommand, for the usage and picocli's suggestions. Why: picocli builds a command's model by reflection over
     * its options and its subcommands' (loading their defaults' classes): 340 ms of a fresh JVM for the whole tree,
     * 160 for one command, paid by every run of {@code ./mtdtl} before it did anything (bench/RESULTS.md, session 53).
     */
    static CommandLine commandLine(String... args) {
        CommandLine cl = new CommandLine(new Main());
        String first = args.length > 0 ? args[0] : "";
        Class<?> one = "help".equals(first) ? null : COMMANDS.get(first);
        if (one != null) {
            cl.addSubcommand(first, one);
        } else if (!first.equals("--version") && !first.equals("-V")) {
            COMMANDS.forEach(cl::addSubcommand);
        }
        return cl;
    }

    public static void main(String[] args) {
        String jit = dev.mtdtl.tensor.JitFlags.trapLimitWarning();   // a JVM not started by ./mtdtl
        if (jit != null) {
            System.err.println("mtdtl: " + jit);
        }
        System.exit(run(args));
    }

    /** Run with arguments and return the exit status (for tests). */
    public static int run(String... args) {
        CommandLine cl = commandLine(args);
        // Bad input is the user's to fix: print the message (it names the file, line or field), not a
        // stack trace, and exit with status 1. Any other exception is a bug of ours: say so, with its class,
        // and exit with status 2 (picocli's status for a bad command line too). MTDTL_DEBUG=1 adds the trace.
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (ex instanceof dev.mtdtl.tensor.Devices.UnavailableException) {
                // --device cuda without a usable GPU: one line with the reason, exit status 1, no trace
                System.err.println("mtdtl " + cmd.getCommandName() + ": no usable GPU: " + ex.getMessage());
                return 1;
            }
            boolean input = isInputError(ex);
            System.err.println("mtdtl " + cmd.getCommandName() + ": " + (input ? ex.getMessage()
                    : "internal error " + ex + " (please report it; MTDTL_DEBUG=1 prints the stack trace)"));
            if (System.getenv("MTDTL_DEBUG") != null) {
                ex.printStackTrace();
            }
            return input ? 1 : 2;
        });
        try {
            return cl.execute(args);
        } catch (OutOfMemoryError e) {
            // An Error passes picocli's handler and would end as "Exception in thread main" with a stack trace; it is
            // the JVM's heap limit, which the user sets, so say which it is and how to raise it (status 1). Printing
            // is safe here: unwinding the stack freed what the command held.
            System.err.println(outOfMemory(commandName(cl), e, Runtime.getRuntime().maxMemory()));
            if (System.getenv("MTDTL_DEBUG") != null) {
                e.printStackTrace();
            }
            return 1;
        }
    }

    /** The message for a command that ran out of heap: the limit it had, and a larger one to give it. */
    static String outOfMemory(String command, OutOfMemoryError e, long maxHeapBytes) {
        long mb = maxHeapBytes >> 20;
        long suggestGb = 1;   // the smallest power of two GB that doubles the heap
        while (suggestGb * 1024 < 2 * mb) {
            suggestGb *= 2;
        }
        return command + ": out of memory (" + e.getMessage() + ") with a heap of at most " + mb + " MB; give the "
                + "JVM more, e.g. MTDTL_JAVA_OPTS=-Xmx" + suggestGb + "g ./mtdtl ... (java -Xmx" + suggestGb
                + "g -jar ... without the launcher); a resumable command goes on where it stopped";
    }

    /** "mtdtl import msd": the (sub)command the arguments named, as far as they were parsed. */
    private static String commandName(CommandLine cl) {
        CommandLine.ParseResult pr = cl.getParseResult();
        if (pr == null) {
            return "mtdtl";
        }
        while (pr.hasSubcommand()) {
            pr = pr.subcommand();
        }
        return pr.commandSpec().qualifiedName();
    }

    /**
     * Errors whose message is written for the user (bad input, a full disk, a non-finite loss): I/O errors
     * and the argument/state/arithmetic exceptions that the readers and the trainer throw with the file,
     * line or field in the message.
     */
    static boolean isInputError(Throwable ex) {
        return ex instanceof java.io.IOException || ex instanceof java.io.UncheckedIOException
                || ex instanceof IllegalArgumentException && !(ex instanceof NumberFormatException)
                || ex instanceof IllegalStateException
                || ex.getClass() == ArithmeticException.class || ex instanceof SecurityException;
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /**
     * Version from the jar manifest (the pom's when run from classes), and the build's identity: what a study
     * records beside each run ({@code CodeIdentity}), so a user can tell which runs this build made.
     */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[]{"mtdtl " + (v == null ? "0.1.0-SNAPSHOT" : v) + " (build "
                    + dev.mtdtl.tensor.io.CodeIdentity.current() + ")"};
        }
    }
}

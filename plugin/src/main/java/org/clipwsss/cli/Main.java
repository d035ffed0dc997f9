package org.clipwsss.cli;

import java.io.PrintWriter;
import org.clipwsss.runtime.ClipWsssException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code clip-wsss} command line. */
@Command(name = "clip-wsss", mixinStandardHelpOptions = true, version = "clip-wsss 0.1.0",
        description = "Image-level tags to pixel masks with CLIP.",
        subcommands = {SimilarityCommand.class, SegmentCommand.class, CamCommand.class, SelectSynonymsCommand.class,
            EvaluateCommand.class, CrfCommand.class, TokenizeCommand.class, PreprocessCommand.class,
            EmbedImageCommand.class, EmbedTextCommand.class, ExportCommand.class, ModelsCommand.class, TrainPromptsCommand.class, TrainAdaptersCommand.class, TrainMaskGeneratorCommand.class, BenchCommand.class,
            CommandLine.HelpCommand.class})
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the CLI with the given streams; returns the exit code (0 ok, 1 failed, 2 bad usage, 3 training stopped early with a checkpoint). */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "[%4$s] %5$s%6$s%n");
        }
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (ex instanceof ClipWsssException) {
                cmd.getErr().println("clip-wsss: error: " + ex.getMessage());
                return 1;
            }
            throw ex;
        });
        return cli.execute(args);
    }
}

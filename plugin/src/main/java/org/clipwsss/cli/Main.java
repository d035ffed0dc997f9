package org.clipwsss.cli;

import java.io.PrintWriter;
import org.clipwsss.runtime.ClipWsssException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code clip-wsss} command line. */
@Command(name = "clip-wsss", mixinStandardHelpOptions = true, versionProvider = Main.VersionLine.class,
        description = "Image-level tags to pixel masks with CLIP.",
        subcommands = {SimilarityCommand.class, SegmentCommand.class, SummarizeCommand.class, CamCommand.class, SelectSynonymsCommand.class,
            EvaluateCommand.class, CrfCommand.class, TokenizeCommand.class, PreprocessCommand.class,
            EmbedImageCommand.class, EmbedTextCommand.class, ExportCommand.class, ModelsCommand.class, TrainPromptsCommand.class, TrainAdaptersCommand.class, TrainMaskGeneratorCommand.class, BenchCommand.class,
            CommandLine.HelpCommand.class})
public final class Main {
    private Main() {
    }

    /** {@code --version}: the project's version (the pom's), with the Java and ONNX Runtime it runs on. */
    static final class VersionLine implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String ort = ai.onnxruntime.OrtEnvironment.class.getPackage().getImplementationVersion();
            return new String[] {org.clipwsss.runtime.Version.line(), "Java " + System.getProperty("java.version") + ", ONNX Runtime (Java) "
                    + (ort != null ? ort : "version not in its jar manifest"),
                "ONNX Runtime telemetry: " + org.clipwsss.runtime.session.SessionFactory.telemetry()};
        }
    }

    /**
     * The process's entry: Ctrl-C (SIGINT) and SIGTERM stop training after the current step and a batch after the
     * current image, and the process exits 3 (see {@link CancelOnSignal}); a second signal, or one while nothing
     * can stop early, ends it at once with 128 + the signal number (130, 143).
     */
    public static void main(String[] args) {
        CancelOnSignal.installHandlers();
        int code = run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true));
        System.exit(CancelOnSignal.exitCode(code));
    }

    /**
     * Runs the CLI with the given streams; returns the exit code: 0 ok, 1 failed, 2 bad usage, 3 stopped early
     * (Ctrl-C or SIGTERM: training saved a checkpoint, a batch finished its current image and wrote errors.csv and
     * run.json marked cancelled; the same command continues) or some images of a batch failed (errors.csv).
     */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "[%4$s] %5$s%6$s%n");
        }
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (CancelOnSignal.terminating() != 0) {
                // a second signal is ending the process: what failed under it is no error of the command's
                return CancelOnSignal.terminating();
            }
            if (ex instanceof ClipWsssException) {
                cmd.getErr().println("clip-wsss: error: " + ex.getMessage());
                return 1;
            }
            throw ex;
        });
        int code = cli.execute(args);
        return code == 0 && CancelOnSignal.wasStoppedEarly() ? CancelOnSignal.STOPPED : code;
    }
}

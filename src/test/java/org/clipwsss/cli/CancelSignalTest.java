package org.clipwsss.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.clipwsss.Fixtures;
import org.clipwsss.runtime.io.Npy;
import org.clipwsss.runtime.io.NpyArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A training command in its own JVM, stopped by SIGTERM or SIGINT (Ctrl-C): it saves a checkpoint and exits 3 (not
 * 143 or 130, the JVM's status after a signal); a rerun continues.
 */
class CancelSignalTest {
    static final int STEPS = 200;

    @Test
    void sigtermSavesACheckpointExits3AndTheSameCommandContinues(@TempDir Path tmp) throws Exception {
        stopsWithACheckpointAndContinues(tmp, "TERM");
    }

    @Test
    void ctrlCSavesACheckpointExits3AndTheSameCommandContinues(@TempDir Path tmp) throws Exception {
        // a process that ignores SIGINT (started in the background by a shell without job control) hands that on
        // to its children, and a JVM leaves an ignored SIGINT ignored: nothing to test then
        assumeFalse(ignoresSigint(), "this test's JVM ignores SIGINT, so its child would too");
        stopsWithACheckpointAndContinues(tmp, "INT");
    }

    private static void stopsWithACheckpointAndContinues(Path tmp, String signal) throws Exception {
        Npy.write(tmp.resolve("x.npy"), Fixtures.reference("clip-tiny", "pixel_values"));
        Npy.write(tmp.resolve("y.npy"), NpyArray.ofFloats(new float[] {1, 0, 1, 1}, 2, 2));
        Path out = tmp.resolve("out");
        List<String> args = List.of("train-mask-generator", "--model", Fixtures.CLIP_TINY.toString(), "--cache", tmp.resolve("c").toString(),
                "--classes", "cat;dog", "--pixels", tmp.resolve("x.npy").toString(), "--targets", tmp.resolve("y.npy").toString(),
                "--warm-steps", "0", "--optimizer", "adamw", "--lr", "0.001", "--steps", Integer.toString(STEPS), "--out", out.toString());
        Process p = new ProcessBuilder(javaCommand(args)).redirectErrorStream(true).start();
        Output log;
        try {
            log = Output.follow(p, line -> line.startsWith("step 11/"), signal);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "still running 60 s on");
        } finally {
            p.destroyForcibly();
        }
        log.join();
        assertTrue(log.signalled(), "the signal was sent\n" + log.text());
        assertEquals(CancelOnSignal.STOPPED, p.exitValue(), "exit code after SIG" + signal + "\n" + log.text());
        assertTrue(log.text().contains("interrupted: stopping after this step and saving a checkpoint"), log.text());
        assertTrue(!log.text().contains("DefaultLogger"), log.text());
        int saved = new ObjectMapper().readTree(out.resolve("checkpoint.json").toFile()).path("step").asInt(-1);
        assertTrue(saved >= 11 && saved < STEPS, "checkpoint at step " + saved + "\n" + log.text());
        assertTrue(!Files.exists(out.resolve("mask_generator.onnx")), "no half-trained network is exported");

        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        int code = Main.run(args.toArray(String[]::new), new PrintWriter(o, true), new PrintWriter(e, true));
        assertEquals(0, code, o + "\n" + e);
        assertTrue(o.toString().contains("resuming from the checkpoint at step " + saved), o.toString());
        assertEquals(STEPS + 1, Files.readAllLines(out.resolve("loss.csv")).size());
        assertTrue(Files.isRegularFile(out.resolve("mask_generator.onnx")));
    }

    /** {@code java -cp <this test's class path> org.clipwsss.cli.Main args...}: the command line in a JVM of its own. */
    static List<String> javaCommand(List<String> args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(args);
        return command;
    }

    /** Whether this JVM ignores SIGINT (Linux: bit 1 of SigIgn in /proc/self/status); false where that cannot be read. */
    static boolean ignoresSigint() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("SigIgn:")) {
                    return (Long.parseUnsignedLong(line.substring(7).trim(), 16) & 2L) != 0;
                }
            }
        } catch (IOException | RuntimeException e) {
            return false;
        }
        return false;
    }

    /**
     * A child process's merged output, read on a thread of its own (so that a test never blocks on a stream), that
     * sends the child the signal ({@code kill -SIGNAL pid}, as Ctrl-C or a service manager would) at the first line
     * that matches.
     */
    static final class Output {
        private final StringBuffer text = new StringBuffer();
        private final AtomicBoolean signalled = new AtomicBoolean();
        private final Thread reader;

        private Output(Process p, Predicate<String> when, String signal) {
            reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        text.append(line).append('\n');
                        if (when.test(line) && signalled.compareAndSet(false, true)) {
                            // Process.destroy would send SIGTERM too, but also close this stream
                            new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).start().waitFor(10, TimeUnit.SECONDS);
                        }
                    }
                } catch (IOException e) {
                    text.append("(reading the output failed: ").append(e).append(")\n");
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "child-output");
            reader.setDaemon(true);
            reader.start();
        }

        static Output follow(Process p, Predicate<String> when, String signal) {
            return new Output(p, when, signal);
        }

        void join() throws InterruptedException {
            reader.join(TimeUnit.SECONDS.toMillis(10));
        }

        boolean signalled() {
            return signalled.get();
        }

        String text() {
            return text.toString();
        }
    }
}

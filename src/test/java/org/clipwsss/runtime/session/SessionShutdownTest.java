package org.clipwsss.runtime.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.clipwsss.runtime.io.NpyArray;
import org.junit.jupiter.api.Test;

/**
 * Closing a session factory, and the JVM's shutdown, while graphs run: closing waits for the runs in progress (no
 * session is freed under a running graph), and a loop of runs on the shared factory, its JVM stopped by SIGTERM,
 * reports no failure (ONNX Runtime's own shutdown hook releases its environment under it).
 */
class SessionShutdownTest {
    static final Path VISION = Path.of("onnx-models/clip-tiny/onnx/vision_model.onnx");

    static Map<String, NpyArray> feeds(GraphRunner g) {
        return Map.of(g.inputNames().iterator().next(), NpyArray.ofFloats(new float[3 * 224 * 224], 1, 3, 224, 224));
    }

    static List<String> outputs(GraphRunner g) {
        return List.of(g.outputNames().iterator().next());
    }

    @Test
    void closeWaitsForRunsInProgressOnOtherThreads() throws Exception {
        SessionFactory f = new SessionFactory(Device.CPU, 1);
        GraphRunner g = new GraphRunner(f, VISION);
        CountDownLatch holding = new CountDownLatch(1);
        AtomicReference<Object> result = new AtomicReference<>();
        Thread worker = new Thread(() -> {
            try (SessionFactory.Use use = f.inUse()) { // a run in progress (a batch's image, say)
                holding.countDown();
                Thread.sleep(400);
                result.set(g.run(feeds(g), outputs(g))); // the session is still open, though close() was called
            } catch (Throwable e) { // NOPMD: reported below
                result.set(e);
            }
        });
        worker.start();
        assertTrue(holding.await(10, TimeUnit.SECONDS));
        assertFalse(SessionFactory.jvmShuttingDown());
        long t0 = System.nanoTime();
        f.close();
        long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        worker.join(10_000);
        assertTrue(result.get() instanceof Map, "the run finished: " + result.get());
        assertTrue(waited >= 300, "close waited for the run (" + waited + " ms)");
        assertTrue(f.isClosed());
        assertEquals(0, f.cachedSessions());
        assertThrows(IllegalStateException.class, () -> g.run(feeds(g), outputs(g)));
    }

    @Test
    void sigtermDuringRunsOnTheSharedFactoryFailsNoRun() throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), Loop.class.getName()).redirectErrorStream(true).start();
        StringBuilder log = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            Thread killer = null;
            String line;
            while ((line = r.readLine()) != null) {
                log.append(line).append('\n');
                if (killer == null && line.equals("ran 20")) {
                    killer = new Thread(() -> {
                        try {
                            new ProcessBuilder("kill", "-TERM", Long.toString(p.pid())).start().waitFor(10, TimeUnit.SECONDS);
                        } catch (IOException | InterruptedException e) {
                            throw new IllegalStateException(e);
                        }
                    });
                    killer.start();
                }
                if (log.length() > 1_000_000) {
                    break;
                }
            }
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), log.toString());
        } finally {
            p.destroyForcibly();
        }
        assertEquals(143, p.exitValue(), log.toString());
        assertTrue(log.toString().contains("ran 20\n"), log.toString());
        assertFalse(log.toString().contains("failed:"), log.toString());
        assertFalse(log.toString().contains("DefaultLogger"), log.toString());
    }

    /** The child JVM: graph runs on {@link SessionFactory#shared()} until SIGTERM ends it; a failed run is printed. */
    static final class Loop {
        private Loop() {
        }

        public static void main(String[] args) {
            GraphRunner g = new GraphRunner(SessionFactory.shared(), VISION);
            Map<String, NpyArray> feeds = feeds(g);
            List<String> outputs = outputs(g);
            for (int i = 1; ; i++) {
                try {
                    assertNotNull(g.run(feeds, outputs));
                    if (i % 10 == 0) {
                        System.out.println("ran " + i);
                    }
                } catch (RuntimeException e) {
                    System.out.println("failed: " + e.getMessage());
                }
            }
        }
    }
}

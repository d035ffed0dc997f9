package org.clipwsss.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.clipwsss.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code segment} over a folder in its own JVM, stopped by SIGTERM after a few images: it finishes the current image,
 * writes errors.csv and run.json marked cancelled, exits 3, leaves no temporary or half-written file and fails no
 * image because of the shutdown (ONNX Runtime's environment is not released under the running batch); the same
 * command then resumes.
 */
class SegmentSignalTest {
    static final Path SAMPLE = Path.of("src/test/resources/voc-sample/JPEGImages");
    static final int COPIES = 10;

    @Test
    void sigtermStopsAfterTheCurrentImageExits3AndTheSameCommandResumes(@TempDir Path tmp) throws Exception {
        Path images = Files.createDirectories(tmp.resolve("images"));
        List<Path> sample;
        try (Stream<Path> s = Files.list(SAMPLE)) {
            sample = s.filter(p -> p.toString().endsWith(".jpg")).sorted().toList();
        }
        for (int i = 0; i < COPIES; i++) {
            for (Path p : sample) {
                String name = p.getFileName().toString();
                Files.copy(p, images.resolve(name.substring(0, name.length() - 4) + "_" + i + ".jpg"));
            }
        }
        int total = COPIES * sample.size();
        Path out = tmp.resolve("out");
        List<String> args = List.of("segment", "--model", Fixtures.CLIP_TINY.toString(), "--input", images.toString(),
                "--labels", "cat;dog", "--out", out.toString(), "--progress-every", "1");

        Process p = new ProcessBuilder(CancelSignalTest.javaCommand(args)).redirectErrorStream(true).start();
        CancelSignalTest.Output log;
        try {
            log = CancelSignalTest.Output.follow(p, line -> line.startsWith("[3/" + total + "]"), "TERM");
            assertTrue(p.waitFor(90, TimeUnit.SECONDS), "still running 90 s on");
        } finally {
            p.destroyForcibly();
        }
        log.join();
        String text = log.text();
        assertTrue(log.signalled(), "the signal was sent\n" + text);
        assertEquals(CancelOnSignal.STOPPED, p.exitValue(), "exit code after SIGTERM\n" + text);
        assertTrue(text.contains("interrupted: stopping after this image"), text);
        assertTrue(text.contains(", cancelled, "), "the summary says cancelled\n" + text);
        assertFalse(text.contains("failed:"), "no image failed because of the shutdown\n" + text);
        assertFalse(text.contains("DefaultLogger") || text.contains("\u001b["), "no ONNX Runtime log\n" + text);

        JsonNode counts = new ObjectMapper().readTree(out.resolve("run.json").toFile()).path("counts");
        assertTrue(counts.path("cancelled").asBoolean(false), counts.toString());
        assertEquals(0, counts.path("failed").asInt(-1), counts.toString());
        int done = counts.path("done").asInt(-1);
        assertTrue(done >= 3 && done < total, "stopped early, after the third image: " + counts);
        assertEquals(total - done, counts.path("not_processed").asInt(-1), counts.toString());
        assertEquals(List.of("image,reason"), Files.readAllLines(out.resolve("errors.csv")), "errors.csv has no row");

        try (Stream<Path> all = Files.walk(out)) {
            List<Path> tmpFiles = all.filter(f -> f.getFileName().toString().endsWith(".tmp")).toList();
            assertEquals(List.of(), tmpFiles, "no temporary file is left");
        }
        // every image the run counts as done has its four outputs, whole; no other image has any
        assertEquals(done, count(out.resolve("masks"), ".png"));
        assertEquals(done, count(out.resolve("overlays"), ".png"));
        assertEquals(done, count(out.resolve("cams"), ".npy"));
        assertEquals(done, count(out.resolve("cams"), ".json"));
        try (Stream<Path> masks = Files.list(out.resolve("masks"))) {
            for (Path mask : masks.toList()) {
                String name = mask.getFileName().toString().replace(".png", "");
                assertNotNull(ImageIO.read(mask.toFile()), "a whole PNG: " + mask);
                assertNotNull(ImageIO.read(out.resolve("overlays/" + name + ".png").toFile()), "a whole overlay: " + name);
                new ObjectMapper().readTree(out.resolve("cams/" + name + ".json").toFile());
                assertTrue(Files.size(out.resolve("cams/" + name + ".npy")) > 128, name);
            }
        }

        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        int code = Main.run(args.toArray(String[]::new), new PrintWriter(o, true), new PrintWriter(e, true));
        assertEquals(0, code, o + "\n" + e);
        assertTrue(o.toString().contains(total + " images: " + (total - done) + " done, " + done + " skipped"), o.toString());
        assertEquals(total, count(out.resolve("masks"), ".png"));
    }

    private static long count(Path dir, String suffix) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(f -> f.getFileName().toString().endsWith(suffix)).count();
        }
    }
}

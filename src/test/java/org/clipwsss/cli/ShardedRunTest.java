package org.clipwsss.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.clipwsss.testing.OutputFolders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code segment --shard I/N}: 4 shards as 4 concurrent processes over VOC images (one of them broken) write the same
 * bytes as one unsharded run, and {@code summarize} merges their reports; a shard killed in the middle resumes alone;
 * the dataset-wide synonym choice runs sharded in two passes with the same outcome as one run.
 */
class ShardedRunTest {
    static List<String> segment(Path tmp, Path in, Path out, String... more) {
        List<String> a = new ArrayList<>(List.of("segment", "--model", "onnx-models/clip-tiny", "--cache", tmp.resolve("cache").toString(),
                "--input", in.toString(), "--labels", tmp.resolve("labels.csv").toString(), "--out", out.toString(), "--threads", "1",
                "--progress-every", "1000"));
        a.addAll(List.of(more));
        return a;
    }

    static Process start(List<String> args, Path log) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m", "-cp",
                System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(args);
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    static int run(List<String> args, StringWriter log) {
        return Main.run(args.toArray(String[]::new), new PrintWriter(log, true), new PrintWriter(log, true));
    }

    @Test
    void fourConcurrentShardsWriteWhatOneRunWritesAndAKilledShardResumesAlone(@TempDir Path tmp) throws Exception {
        Path in = OutputFolders.images(tmp, Integer.MAX_VALUE); // the whole shared VOC sample (676 images) where it is beside the checkout
        int total;
        try (Stream<Path> s = Files.list(in)) {
            total = (int) s.count();
        }
        Path whole = tmp.resolve("whole");
        StringWriter log = new StringWriter();
        assertEquals(3, run(segment(tmp, in, whole), log), log.toString()); // 3: the broken file failed

        Path sharded = tmp.resolve("sharded");
        List<Process> shards = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            shards.add(start(segment(tmp, in, sharded, "--shard", i + "/4"), tmp.resolve("shard" + i + ".log")));
        }
        for (int i = 0; i < 4; i++) {
            assertTrue(shards.get(i).waitFor(600, java.util.concurrent.TimeUnit.SECONDS), "shard " + i + " finished");
            String out = Files.readString(tmp.resolve("shard" + i + ".log"));
            assertEquals(out.contains("2007_zz_broken") ? 3 : 0, shards.get(i).exitValue(), out);
            assertTrue(Files.isRegularFile(sharded.resolve("run.shard-" + i + "-of-4.json")));
        }
        assertFalse(Files.exists(sharded.resolve("selection.csv")), "shards leave the merged reports to summarize");
        StringWriter sum = new StringWriter();
        assertEquals(0, run(List.of("summarize", "--out", sharded.toString()), sum), sum.toString());
        assertTrue(sum.toString().contains("4 shards, all finished; " + total + " images in the shards' reports: " + (total - 1)
                + " done, 0 skipped (already complete), 1 failed"), sum.toString());
        OutputFolders.assertSameOutputs(whole, sharded);
        JsonNode run = new ObjectMapper().readTree(sharded.resolve("run.json").toFile());
        assertEquals("finished", run.path("status").asText());
        assertEquals(4, run.path("shards").path("count").asInt());
        assertEquals(new ObjectMapper().readTree(whole.resolve("run.json").toFile()).path("fingerprint"), run.path("fingerprint"));

        // shard 2/4 killed in the middle: summarize says so; rerun alone, it finishes the rest
        Path killed = tmp.resolve("killed");
        for (int i = 0; i < 4; i++) {
            if (i != 2) {
                int code = run(segment(tmp, in, killed, "--shard", i + "/4"), new StringWriter());
                assertTrue(code == 0 || code == 3, "shard " + i + ": exit " + code); // 3 for the shard with the broken file
            }
        }
        Process p = start(segment(tmp, in, killed, "--shard", "2/4"), tmp.resolve("killed.log"));
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        long others = OutputFolders.masks(killed);
        while (OutputFolders.masks(killed) < others + 3 && p.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(p.isAlive(), "shard 2/4 still running when killed");
        p.destroyForcibly().waitFor();
        sum = new StringWriter();
        assertEquals(3, run(List.of("summarize", "--out", killed.toString()), sum), sum.toString());
        assertTrue(sum.toString().contains("not finished (running, stopped, cancelled or only scored): 2/4")
                || sum.toString().contains("missing (no report yet): 2/4"), sum.toString());
        log = new StringWriter();
        run(segment(tmp, in, killed, "--shard", "2/4"), log);
        assertTrue(log.toString().contains("skipped (already complete)"), log.toString());
        sum = new StringWriter();
        assertEquals(0, run(List.of("summarize", "--out", killed.toString()), sum), sum.toString());
        OutputFolders.assertSameOutputs(whole, killed);
    }

    @Test
    void theDatasetWideSynonymChoiceRunsShardedInTwoPasses(@TempDir Path tmp) throws Exception {
        Path in = OutputFolders.images(tmp, 12);
        Path whole = tmp.resolve("whole");
        assertEquals(3, run(segment(tmp, in, whole, "--synonym-mode", "dataset"), new StringWriter()));
        Path sharded = tmp.resolve("sharded");
        for (int i = 0; i < 2; i++) {
            StringWriter log = new StringWriter();
            assertEquals(0, run(segment(tmp, in, sharded, "--synonym-mode", "dataset", "--shard", i + "/2"), log), log.toString());
            assertTrue(log.toString().contains("its synonym scores are in synonym-scores.shard-" + i + "-of-2.json"), log.toString());
        }
        assertFalse(Files.exists(sharded.resolve("masks")) && OutputFolders.masks(sharded) > 0, "the first pass only scores");
        StringWriter sum = new StringWriter();
        assertEquals(3, run(List.of("summarize", "--out", sharded.toString()), sum), sum.toString());
        assertTrue(sum.toString().contains("dataset-wide synonyms chosen from 2 shards' scores"), sum.toString());
        ObjectMapper json = new ObjectMapper();
        assertEquals(json.readTree(whole.resolve("synonyms-dataset.json").toFile()).path("selected"),
                json.readTree(sharded.resolve("synonyms-dataset.json").toFile()).path("selected"));
        for (int i = 0; i < 2; i++) {
            run(segment(tmp, in, sharded, "--synonym-mode", "dataset", "--shard", i + "/2"), new StringWriter());
        }
        sum = new StringWriter();
        assertEquals(0, run(List.of("summarize", "--out", sharded.toString()), sum), sum.toString());
        OutputFolders.assertSameOutputs(whole, sharded);
    }

    @Test
    void badShardsAndMixedSettingsAreRefused(@TempDir Path tmp) throws Exception {
        Path in = OutputFolders.images(tmp, 3);
        for (String bad : new String[] {"4/4", "-1/2", "1", "a/b", "0/0"}) {
            StringWriter log = new StringWriter();
            int code = run(segment(tmp, in, tmp.resolve("o"), "--shard", bad), log);
            assertTrue(code == 1 || code == 2, bad + ": " + log);
            assertTrue(log.toString().contains("shard"), log.toString());
        }
        Path out = tmp.resolve("mixed");
        run(segment(tmp, in, out, "--shard", "0/2"), new StringWriter());
        StringWriter log = new StringWriter();
        assertEquals(1, run(segment(tmp, in, out, "--shard", "1/2", "--refine-exponent", "2"), log), log.toString());
        assertTrue(log.toString().contains("was made with other settings (run.shard-0-of-2.json"), log.toString());
        log = new StringWriter();
        assertEquals(3, run(List.of("summarize", "--out", out.toString()), log), log.toString());
        assertTrue(log.toString().contains("missing (no report yet): 1/2"), log.toString());
    }
}

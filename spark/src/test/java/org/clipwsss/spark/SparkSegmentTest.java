package org.clipwsss.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.clipwsss.testing.OutputFolders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code clip-wsss-spark segment} on local[2]: over the VOC sample (plus a broken file) its outputs are the bytes of one
 * {@code clip-wsss segment} process; with a task that throws on its first attempt, Spark tries it again, the retry
 * resumes, and nothing is lost or written twice.
 */
class SparkSegmentTest {
    static List<String> args(Path tmp, Path in, Path out) {
        return new ArrayList<>(List.of("--model", "onnx-models/clip-tiny", "--cache", tmp.resolve("cache").toString(), "--input",
                in.toString(), "--labels", tmp.resolve("labels.csv").toString(), "--out", out.toString()));
    }

    /** The single-process run with the same options (the command line of the plugin's jar). */
    static void reference(Path tmp, Path in, Path out) {
        List<String> a = new ArrayList<>(List.of("segment", "--progress-every", "1000"));
        a.addAll(args(tmp, in, out));
        StringWriter log = new StringWriter();
        int code = org.clipwsss.cli.Main.run(a.toArray(String[]::new), new PrintWriter(log, true), new PrintWriter(log, true));
        assertEquals(3, code, log.toString()); // the broken file
    }

    static String spark(List<String> a) {
        List<String> all = new ArrayList<>(List.of("segment"));
        all.addAll(a);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = SparkSegment.run(all.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true));
        assertEquals(3, code, out + "\n" + err); // 3: the broken file failed, in errors.csv; the job itself finished
        return out.toString();
    }

    @Test
    void onLocalTwoTheOutputsAreThoseOfOneProcess(@TempDir Path tmp) throws Exception {
        Path in = OutputFolders.images(tmp, Integer.MAX_VALUE);
        Path whole = tmp.resolve("whole");
        reference(tmp, in, whole);
        Path out = tmp.resolve("spark");
        List<String> a = args(tmp, in, out);
        a.addAll(List.of("--master", "local[2]", "--partitions", "4"));
        String log = spark(a);
        assertTrue(log.contains("4 shards, all finished"), log);
        java.util.Set<String> models = new java.util.TreeSet<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("shard \\d/4 \\(attempt 0, (model load #\\d+ of JVM \\d+)\\)").matcher(log);
        int tasks = 0;
        while (m.find()) {
            models.add(m.group(1));
            tasks++;
        }
        assertEquals(4, tasks, log);
        assertEquals(1, models.size(), "the four tasks of the one executor (local mode: this JVM) share one model: " + log);
        OutputFolders.assertSameOutputs(whole, out);
        assertEquals("finished", new ObjectMapper().readTree(out.resolve("run.json").toFile()).path("status").asText());

        // run again: every image is complete, nothing recomputed
        log = spark(a);
        assertTrue(log.contains(" 0 done, ") && log.contains("skipped (already complete)"), log);
        OutputFolders.assertSameOutputs(whole, out);
    }

    @Test
    void aTaskThatThrowsIsRetriedAndResumesWithNothingLostOrDuplicated(@TempDir Path tmp) throws Exception {
        Path in = OutputFolders.images(tmp, 60);
        Path whole = tmp.resolve("whole");
        reference(tmp, in, whole);
        Path out = tmp.resolve("spark");
        List<String> a = args(tmp, in, out);
        a.addAll(List.of("--master", "local[2,4]", "--partitions", "3", "--conf", "spark.clipwsss.failOnce=1:5"));
        String log = spark(a);
        java.util.regex.Matcher retry = java.util.regex.Pattern.compile("shard 1/3 \\(attempt 1, [^)]*\\): 20 images: (\\d+) done, (\\d+) skipped")
                .matcher(log);
        assertTrue(retry.find(), "shard 1/3 ran a second attempt: " + log);
        int skipped = Integer.parseInt(retry.group(2));
        // the failed attempt stopped after 5 images (and the one being written when it stopped): the retry skips them
        assertTrue(skipped >= 5 && skipped <= 7 && Integer.parseInt(retry.group(1)) == 20 - skipped, log);
        assertTrue(log.contains("3 shards, all finished"), log);
        OutputFolders.assertSameOutputs(whole, out);
        long rows = Files.readAllLines(out.resolve("errors.csv")).size();
        assertEquals(2, rows, "the broken file once");
    }

    /**
     * Images on a Hadoop file system (a stand-in scheme over the local disk, as HDFS or S3A would be): the folder is
     * listed through Hadoop, each task copies its images before reading them, and the outputs are those of the local run;
     * the same from a list file of URIs; and with --ship-model the executors read the model from the job's files.
     */
    @Test
    void imagesOnAHadoopFileSystemAndAShippedModel(@TempDir Path tmp) throws Exception {
        Path in = OutputFolders.images(tmp, 20);
        Path whole = tmp.resolve("whole");
        reference(tmp, in, whole);
        Path out = tmp.resolve("remote");
        List<String> a = args(tmp, in, out);
        a.set(a.indexOf("--input") + 1, "otherfs://" + in.toAbsolutePath());
        a.addAll(List.of("--master", "local[2]", "--partitions", "3", "--conf", "spark.hadoop.fs.otherfs.impl=" + OtherFs.class.getName()));
        String log = spark(a);
        assertTrue(log.contains("3 shards, all finished"), log);
        OutputFolders.assertSameOutputs(whole, out, false);
        // the broken file's reason names where it is, not the executor's copy
        assertEquals(List.of("image,reason", "2007_zz_broken.jpg,otherfs://" + in.toAbsolutePath().resolve("2007_zz_broken.jpg")
                + ": not a readable image (unknown or unsupported format)"), Files.readAllLines(out.resolve("errors.csv")));

        Path listed = tmp.resolve("listed");
        List<String> uris = new ArrayList<>();
        try (Stream<Path> s = Files.list(in)) {
            s.sorted().forEach(p -> uris.add("otherfs://" + p.toAbsolutePath()));
        }
        Files.write(tmp.resolve("images.txt"), uris);
        a = args(tmp, in, listed);
        int at = a.indexOf("--input");
        a.remove(at + 1);
        a.remove(at);
        a.addAll(List.of("--list", "otherfs://" + tmp.resolve("images.txt").toAbsolutePath(), "--ship-model", "--master", "local[2]",
                "--partitions", "2", "--conf", "spark.hadoop.fs.otherfs.impl=" + OtherFs.class.getName()));
        log = spark(a);
        assertTrue(log.contains("2 shards, all finished"), log);
        OutputFolders.assertSameOutputs(whole, listed, false);
    }
}

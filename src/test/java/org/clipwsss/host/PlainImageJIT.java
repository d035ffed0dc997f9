package org.clipwsss.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The standard ImageJ 1.54p download (ij.jar and plugins/), the plugin installed by bin/install-fiji, and both
 * batch macros run as the README says: {@code java -jar ij.jar -ijpath DIR -batch MACRO ARGS}, in its own JVM,
 * with a real display (Xvfb), so that any dialog would wait for a person: the time limit catches that, with a
 * screenshot. ImageJ finds the commands in plugins/clip_wsss-VERSION.jar's plugins.config and loads them and the
 * dependencies in plugins/jars with its own PluginClassLoader.
 */
class PlainImageJIT {
    static final String JAVA = ProcessHandle.current().info().command().orElse("java");

    @Test
    void bothBatchMacrosRunInAFreshImageJFolderWithNoDialogAndNoStackTrace(@TempDir Path tmp) throws Exception {
        Assumptions.assumeTrue(Hosts.Xvfb.available() || System.getenv("CI") != null,
                "needs Debian's xvfb (.ci/run installs it)");
        Path ij = Hosts.plainImageJ(tmp.resolve("ImageJ"));
        // an earlier install of another version, and a jar of the user's own
        Files.createDirectories(ij.resolve("plugins/jars"));
        Files.writeString(ij.resolve("plugins/clip_wsss-0.0.9.jar"), "old");
        Files.writeString(ij.resolve("plugins/jars/onnxruntime-1.20.0.jar"), "old");
        Files.writeString(ij.resolve("plugins/jars/my_tool-1.0.jar"), "the user's");
        Files.writeString(ij.resolve("plugins/clip_wsss.installed"), "plugins/clip_wsss-0.0.9.jar\nplugins/jars/onnxruntime-1.20.0.jar\n");

        String installed = Hosts.install(ij);
        assertTrue(installed.contains("is a plain ImageJ 1.x folder (ij.jar): plugin into plugins/, dependencies into plugins/jars/"), installed);
        assertTrue(installed.contains("removed plugins/clip_wsss-0.0.9.jar") && installed.contains("removed plugins/jars/onnxruntime-1.20.0.jar"), installed);
        assertFalse(Files.exists(ij.resolve("plugins/clip_wsss-0.0.9.jar")) || Files.exists(ij.resolve("plugins/jars/onnxruntime-1.20.0.jar")));
        assertTrue(Files.exists(ij.resolve("plugins/jars/my_tool-1.0.jar")), "a jar the installer did not put there stays");
        assertFalse(Files.exists(ij.resolve("jars")), "nothing outside plugins/");
        List<Path> plugin;
        try (var s = Files.list(ij.resolve("plugins"))) {
            plugin = s.filter(p -> p.getFileName().toString().matches("clip_wsss-.+\\.jar")).toList();
        }
        assertEquals(1, plugin.size(), plugin.toString());
        try (ZipFile z = new ZipFile(plugin.get(0).toFile())) {
            assertTrue(z.getEntry("plugins.config") != null, "ImageJ 1.x reads plugins.config from underscored jars in plugins/");
        }
        for (String dep : new String[] {"onnxruntime-1.29.0.jar", "jackson-databind-", "tokenizers-", "slf4j-jdk14-"}) {
            try (var s = Files.list(ij.resolve("plugins/jars"))) {
                assertTrue(s.anyMatch(p -> p.getFileName().toString().startsWith(dep)), dep + " in plugins/jars");
            }
        }

        Path in = Hosts.inputFolder(tmp);
        Path out1 = tmp.resolve("out one");
        Path out2 = tmp.resolve("out two");
        try (Hosts.Xvfb x = Hosts.Xvfb.start()) {
            Hosts.Run r = Hosts.run(List.of(JAVA, "-Xmx512m", "-jar", "ij.jar", "-ijpath", ij.toString(), "-batch",
                    Hosts.ROOT.resolve("macros/batch_folder_with_labels.ijm").toString(), "input=[" + in + "] labels=["
                    + tmp.resolve("labels.csv") + "] output=[" + out1 + "] model=[" + Hosts.TINY + "] classes=["
                    + Hosts.VOC.resolve("classes.txt") + "] max_pixels=400000000"), ij, Map.of(), Hosts.LIMIT, x, "plain-imagej-labels");
            assertFalse(r.timedOut(), "ImageJ did not finish in time (a dialog waiting?): see target/hosts/screenshots\n" + r.output());
            assertTrue(r.output().contains("CLIP WSSS Batch: 4 images: 3 done, 0 skipped (already complete), 1 failed"), r.output());
            assertTrue(r.output().contains("CLIP WSSS Batch (clip-wsss " + org.clipwsss.runtime.Version.get() + ")"), "the log names the version: " + r.output());
            Hosts.assertNoStackTrace(r.output());
            checkOutputs(out1, List.of("2007_000032", "2007_000039", "2007_001763"), 1);
            String errors = Files.readString(out1.resolve("errors.csv"));
            assertTrue(errors.contains("huge.png,OutOfMemoryError: Java heap space"), "the Error inside one image is reported: " + errors);

            r = Hosts.run(List.of(JAVA, "-Xmx512m", "-jar", "ij.jar", "-ijpath", ij.toString(), "-batch",
                    Hosts.ROOT.resolve("macros/batch_folder_one_tag.ijm").toString(), "input=[" + Hosts.VOC.resolve("JPEGImages")
                    + "] tag=[cat] output=[" + out2 + "] model=[" + Hosts.TINY + "] synonyms=none method=gradcam"), ij, Map.of(), Hosts.LIMIT, x,
                    "plain-imagej-tag");
            assertFalse(r.timedOut(), "ImageJ did not finish in time (a dialog waiting?): see target/hosts/screenshots\n" + r.output());
            assertTrue(r.output().contains("CLIP WSSS Batch: 3 images: 3 done, 0 skipped (already complete), 0 failed"), r.output());
            Hosts.assertNoStackTrace(r.output());
            checkOutputs(out2, List.of("2007_000032", "2007_000039", "2007_001763"), 0);
            checkCamSource(out2, "gradcam (");

            // a failing command under -batch: one log line, no dialog waiting for a person (the time limit would catch it)
            r = Hosts.run(List.of(JAVA, "-Xmx512m", "-jar", "ij.jar", "-ijpath", ij.toString(), "-batch",
                    Hosts.ROOT.resolve("macros/batch_folder_one_tag.ijm").toString(), "input=[" + tmp.resolve("no such folder")
                    + "] tag=[cat] output=[" + tmp.resolve("out three") + "] model=[" + Hosts.TINY + "]"), ij, Map.of(), Duration.ofSeconds(60), x,
                    "plain-imagej-error");
            assertFalse(r.timedOut(), "a dialog waited for a person: see target/hosts/screenshots\n" + r.output());
            assertTrue(r.output().contains("CLIP WSSS Batch: " + tmp.resolve("no such folder") + ": input folder does not exist"), r.output());
            Hosts.assertNoStackTrace(r.output());
        }
    }

    /** The CAM method that ran (gradcam comes through the ServiceLoader SPI, from the plugin's class loader). */
    static void checkCamSource(Path out, String prefix) throws Exception {
        JsonNode run = new ObjectMapper().readTree(out.resolve("run.json").toFile());
        assertTrue(run.path("cam_source").asText().startsWith(prefix), run.path("cam_source").asText());
    }

    /** Every image's CAMs, mask and overlay; errors.csv with one row per failure; run.json with the counts. */
    static void checkOutputs(Path out, List<String> done, int failed) throws Exception {
        for (String n : done) {
            for (String f : new String[] {"cams/" + n + ".npy", "cams/" + n + ".json", "masks/" + n + ".png", "overlays/" + n + ".png"}) {
                assertTrue(Files.size(out.resolve(f)) > 0, f);
            }
        }
        assertEquals(1 + failed, Files.readAllLines(out.resolve("errors.csv")).size());
        JsonNode run = new ObjectMapper().readTree(out.resolve("run.json").toFile());
        assertEquals(done.size(), run.path("counts").path("done").asInt(), run.toString());
        assertEquals(failed, run.path("counts").path("failed").asInt(), run.toString());
        assertTrue(Files.isRegularFile(out.resolve("selection.csv")) && Files.isRegularFile(out.resolve("classes.txt")));
    }
}

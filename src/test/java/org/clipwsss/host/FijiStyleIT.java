package org.clipwsss.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Fiji-style folder (jars/ with ImageJ, ij1-patcher, SciJava and the libraries Fiji shares with the plugin, at
 * the versions pom-scijava 45.0.0 manages), the plugin installed by bin/install-fiji, and both batch macros run
 * headless in their own JVM by hosts/FijiStyleLauncher.java: jars/ on a class loader whose parent sees no plugin,
 * ImageJ 1.x patched by ij1-patcher as Fiji does, the plugin found by ImageJ itself in plugins/.
 */
class FijiStyleIT {
    static final String JAVA = PlainImageJIT.JAVA;

    @Test
    void theInstallerKeepsEveryLibraryFijiHasAndBothMacrosRunHeadless(@TempDir Path tmp) throws Exception {
        Path app = Hosts.fijiApp(tmp.resolve("Fiji.app"));
        String installed = Hosts.install(app);
        assertTrue(installed.contains("is a Fiji.app (jars/ij-"), installed);
        Set<String> copied = new TreeSet<>();
        Set<String> kept = new TreeSet<>();
        for (String line : installed.split("\n")) {
            if (line.startsWith("copied ")) {
                copied.add(line.substring(7).replaceAll("-[0-9][^/]*\\.jar$", ""));
            } else if (line.startsWith("kept jars/")) {
                kept.add(line.substring(10, line.indexOf(".jar") + 4));
            }
            assertFalse(line.startsWith("removed"), "nothing of Fiji's is replaced: " + line);
        }
        assertEquals(new TreeSet<>(List.of("plugins/clip_wsss", "jars/onnxruntime", "jars/tokenizers", "jars/api", "jars/jsoup")), copied,
                "only what Fiji does not have is copied:\n" + installed);
        for (String shared : new String[] {"gson-", "jna-", "jackson-core-", "jackson-databind-", "jackson-annotations-", "commons-io-",
            "commons-compress-", "commons-codec-", "slf4j-api-", "imglib2-"}) {
            assertTrue(kept.stream().anyMatch(k -> k.startsWith(shared)), shared + " is Fiji's own and kept: " + kept);
        }

        Path in = Hosts.inputFolder(tmp);
        Path out1 = tmp.resolve("out one");
        Path out2 = tmp.resolve("out two");
        String launcher = Hosts.ROOT.resolve("src/test/resources/hosts/FijiStyleLauncher.java").toString();
        List<String> jvm = List.of(JAVA, "-Xmx512m", "-Djava.awt.headless=true", "--add-opens=java.base/java.lang=ALL-UNNAMED", launcher,
                app.toString());
        Hosts.Run r = Hosts.run(concat(jvm, Hosts.ROOT.resolve("macros/batch_folder_with_labels.ijm").toString(), "input=[" + in
                + "] labels=[" + tmp.resolve("labels.csv") + "] output=[" + out1 + "] model=[" + Hosts.TINY + "] classes=["
                + Hosts.VOC.resolve("classes.txt") + "] max_pixels=400000000"), tmp, Map.of(), Hosts.LIMIT, null);
        assertFalse(r.timedOut(), r.output());
        assertEquals(0, r.exit(), r.output());
        assertTrue(r.output().contains("CLIP WSSS Batch: 4 images: 3 done, 0 skipped (already complete), 1 failed"), r.output());
        Hosts.assertNoStackTrace(r.output());
        PlainImageJIT.checkOutputs(out1, List.of("2007_000032", "2007_000039", "2007_001763"), 1);
        assertTrue(Files.readString(out1.resolve("errors.csv")).contains("huge.png,OutOfMemoryError: Java heap space"));

        r = Hosts.run(concat(jvm, Hosts.ROOT.resolve("macros/batch_folder_one_tag.ijm").toString(), "input=["
                + Hosts.VOC.resolve("JPEGImages") + "] tag=[cat] output=[" + out2 + "] model=[" + Hosts.TINY + "] synonyms=none method=gradcam"),
                tmp, Map.of(), Hosts.LIMIT, null);
        assertFalse(r.timedOut(), r.output());
        assertTrue(r.output().contains("CLIP WSSS Batch: 3 images: 3 done, 0 skipped (already complete), 0 failed"), r.output());
        Hosts.assertNoStackTrace(r.output());
        PlainImageJIT.checkOutputs(out2, List.of("2007_000032", "2007_000039", "2007_001763"), 0);
        PlainImageJIT.checkCamSource(out2, "gradcam (");
    }

    /**
     * The Fiji-style jars are what pom-scijava 45.0.0 declares, read from its pom (its version properties,
     * ${...} resolved), independently of Maven's dependency management.
     */
    @Test
    void theFijiStyleJarsAreTheVersionsPomScijavaDeclares() throws Exception {
        String pom = Files.readString(Path.of(System.getProperty("pom.scijava")));
        Map<String, String> props = new HashMap<>();
        Matcher m = Pattern.compile("<([A-Za-z0-9_.-]+)>([^<]*)</\\1>").matcher(pom);
        while (m.find()) {
            props.put(m.group(1), m.group(2).trim());
        }
        int checked = 0;
        for (Path jar : Hosts.fijiJars()) {
            String name = jar.getFileName().toString().replaceAll("\\.jar$", "");
            Matcher v = Pattern.compile("^(.+?)-([0-9].*)$").matcher(name);
            assertTrue(v.matches(), name);
            String declared = resolve(props, props.get(v.group(1) + ".version"));
            assertEquals(declared, v.group(2), v.group(1) + ": the version pom-scijava declares");
            checked++;
        }
        assertTrue(checked >= 15, "checked " + checked);
    }

    private static String resolve(Map<String, String> props, String value) {
        for (int i = 0; value != null && value.startsWith("${") && i < 10; i++) {
            value = props.get(value.substring(2, value.length() - 1));
        }
        return value;
    }

    private static List<String> concat(List<String> head, String... tail) {
        List<String> all = new java.util.ArrayList<>(head);
        all.addAll(List.of(tail));
        return all;
    }
}

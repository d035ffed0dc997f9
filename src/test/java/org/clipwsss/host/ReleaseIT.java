package org.clipwsss.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipFile;
import org.clipwsss.runtime.Version;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a release hands out, as a user gets it: the installed plugin jar is named with the pom's version and carries
 * the licence and the notices; every jar the installer copies is listed in THIRD-PARTY.md (by its file name, so a
 * changed dependency version fails here until the notices say so); bin/clip-wsss says its version and runs with ONNX
 * Runtime's telemetry off.
 */
class ReleaseIT {
    @Test
    void everyCopiedJarIsInTheNoticesAndThePluginJarCarriesThem(@TempDir Path tmp) throws Exception {
        Path ij = Hosts.plainImageJ(tmp.resolve("ImageJ"));
        Hosts.install(ij);
        List<String> installed = Files.readAllLines(ij.resolve("plugins/clip_wsss.installed"));
        assertTrue(installed.contains("plugins/clip_wsss-" + Version.get() + ".jar"), installed.toString());
        String notices = Files.readString(Hosts.ROOT.resolve("THIRD-PARTY.md"));
        List<String> missing = new ArrayList<>();
        int jars = 0;
        for (String f : installed) {
            if (f.startsWith("plugins/jars/")) {
                jars++;
                String name = f.substring("plugins/jars/".length());
                if (!notices.contains("`" + name + "`")) {
                    missing.add(name);
                }
            }
        }
        assertTrue(jars >= 10, "a plain ImageJ gets every dependency: " + installed);
        assertEquals(List.of(), missing, "jars the installer copies that THIRD-PARTY.md does not list");
        try (ZipFile z = new ZipFile(ij.resolve("plugins/clip_wsss-" + Version.get() + ".jar").toFile())) {
            for (String e : new String[] {"META-INF/LICENSE", "META-INF/THIRD-PARTY.md", "META-INF/CITATION.cff"}) {
                assertTrue(z.getEntry(e) != null, e + " in the plugin jar");
            }
        }
    }

    @Test
    void theLauncherSaysItsVersionAndSwitchesTelemetryOff() throws Exception {
        Hosts.Run r = Hosts.run(List.of("bash", Hosts.ROOT.resolve("bin/clip-wsss").toString(), "--version"), Hosts.ROOT,
                Map.of(), Duration.ofMinutes(2), null, null);
        assertEquals(0, r.exit(), r.output());
        assertTrue(r.output().startsWith("clip-wsss " + Version.get() + "\n"), r.output());
        assertTrue(r.output().contains("ONNX Runtime telemetry: off (ORT_DISABLE_TELEMETRY=1)"), r.output());
    }
}

package org.clipwsss.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * examples/slurm/submit.sh with FIJI set, local-array.sh standing in for sbatch: each array task runs ImageJ (a fresh
 * plain ImageJ folder with the plugin installed by bin/install-fiji, under Xvfb) on macros/batch_folder_with_labels.ijm
 * with {@code shard=$SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT}; the summarize job merges the shards.
 */
class SlurmFijiIT {
    @Test
    void theFijiArrayScriptRunsOneShardPerTaskInImageJ(@TempDir Path tmp) throws Exception {
        Assumptions.assumeTrue(Hosts.Xvfb.available() || System.getenv("CI") != null, "needs Debian's xvfb (.ci/run installs it)");
        Path ij = Hosts.plainImageJ(tmp.resolve("ImageJ"));
        Hosts.install(ij);
        Path in = Hosts.inputFolder(tmp);
        Path out = tmp.resolve("out");
        try (Hosts.Xvfb x = Hosts.Xvfb.start()) {
            Hosts.Run r = Hosts.run(List.of("bash", Hosts.ROOT.resolve("examples/slurm/submit.sh").toString()), tmp, Map.of(
                    "SBATCH", Hosts.ROOT.resolve("examples/slurm/local-array.sh").toString(), "SHARDS", "2",
                    "FIJI", PlainImageJIT.JAVA + " -Xmx512m -jar " + ij.resolve("ij.jar") + " -ijpath " + ij,
                    "IMAGES", in.toString(), "LABELS", tmp.resolve("labels.csv").toString(), "OUT", out.toString(), "MODEL", Hosts.TINY,
                    "DISPLAY", x.display()), Duration.ofMinutes(6), x, "slurm-fiji");
            assertFalse(r.timedOut(), r.output());
            assertEquals(0, r.exit(), r.output());
        }
        for (int i = 0; i < 2; i++) {
            String task;
            try (var logs = Files.list(tmp)) {
                String suffix = "_" + i + ".log";
                task = Files.readString(logs.filter(f -> f.getFileName().toString().startsWith("clip-wsss-fiji-")
                        && f.getFileName().toString().endsWith(suffix)).findFirst().orElseThrow());
            }
            assertTrue(task.contains("CLIP WSSS Batch (clip-wsss "), task);
            assertTrue(Files.isRegularFile(out.resolve("run.shard-" + i + "-of-2.json")), "shard " + i + ": " + task);
        }
        String summary;
        try (var logs = Files.list(tmp)) {
            summary = Files.readString(logs.filter(f -> f.getFileName().toString().startsWith("clip-wsss-summarize-")).findFirst().orElseThrow());
        }
        assertTrue(summary.contains("2 shards, all finished; 4 images in the shards' reports: 3 done, 0 skipped (already complete),"
                + " 1 failed"), summary);
        assertEquals("finished", new ObjectMapper().readTree(out.resolve("run.json").toFile()).path("status").asText());
        assertTrue(Files.readString(out.resolve("errors.csv")).contains("huge.png"));
        for (String n : new String[] {"2007_000032", "2007_000039", "2007_001763"}) {
            assertTrue(Files.size(out.resolve("masks/" + n + ".png")) > 0, n);
        }
    }
}

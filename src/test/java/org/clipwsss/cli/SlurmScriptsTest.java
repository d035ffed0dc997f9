package org.clipwsss.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * examples/slurm/ with local-array.sh standing in for sbatch: submit.sh runs the array's tasks as local processes with
 * SLURM's array variables, each a shard of segment, then the summarize job; the merged run is complete and equal to an
 * unsharded one. (The scripts cannot be tried on a real scheduler here.)
 */
class SlurmScriptsTest {
    static final Path ROOT = Path.of("").toAbsolutePath();

    @Test
    void submitRunsTheArrayAsShardsThenSummarize(@TempDir Path tmp) throws Exception {
        Path in = org.clipwsss.testing.OutputFolders.images(tmp, 9);
        Path out = tmp.resolve("out");
        // the tasks run the CLI from the test's class path (the jar may not be built yet at this phase)
        Path cli = tmp.resolve("clip-wsss");
        Files.writeString(cli, "#!/bin/bash\nexec \"" + Path.of(System.getProperty("java.home"), "bin", "java") + "\" -Xmx512m -cp \""
                + System.getProperty("java.class.path") + "\" " + Main.class.getName() + " \"$@\"\n");
        cli.toFile().setExecutable(true);
        ProcessBuilder pb = new ProcessBuilder("bash", ROOT.resolve("examples/slurm/submit.sh").toString()).directory(tmp.toFile())
                .redirectErrorStream(true).redirectOutput(tmp.resolve("submit.log").toFile());
        pb.environment().putAll(java.util.Map.of("SBATCH", ROOT.resolve("examples/slurm/local-array.sh").toString(), "SHARDS", "3",
                "IMAGES", in.toString(), "LABELS", tmp.resolve("labels.csv").toString(), "OUT", out.toString(), "CLIP_WSSS", cli.toString(),
                "EXTRA", "--cache " + tmp.resolve("cache")));
        Process p = pb.start();
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "submit.sh finished");
        String log = Files.readString(tmp.resolve("submit.log"));
        assertEquals(0, p.exitValue(), log);
        assertTrue(log.contains("3 shards of") && log.contains("summarize job"), log);
        List<String> status = Files.readAllLines(tmp.resolve("local-array.status"));
        assertEquals(4, status.size(), "3 array tasks and the summarize job: " + status);
        for (int i = 0; i < 3; i++) {
            assertTrue(Files.isRegularFile(out.resolve("run.shard-" + i + "-of-3.json")), "shard " + i + " of 3 ran");
        }
        String summary;
        try (var logs = Files.list(tmp)) {
            summary = Files.readString(logs.filter(f -> f.getFileName().toString().startsWith("clip-wsss-summarize-")).findFirst()
                    .orElseThrow());
        }
        assertTrue(summary.contains("3 shards, all finished; 10 images in the shards' reports: 9 done"), summary);
        JsonNode run = new ObjectMapper().readTree(out.resolve("run.json").toFile());
        assertEquals("finished", run.path("status").asText());
        assertTrue(Files.readString(out.resolve("errors.csv")).contains("2007_zz_broken.jpg"));

        Path whole = tmp.resolve("whole");
        ShardedRunTest.run(ShardedRunTest.segment(tmp, in, whole), new java.io.StringWriter());
        org.clipwsss.testing.OutputFolders.assertSameOutputs(whole, out);
    }
}

package org.clipwsss.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bench --loops} times each hot Java loop and reports it (the figures themselves are not judged here). */
class BenchLoopsTest {
    @Test
    void reportsEveryLoop(@TempDir Path tmp) throws Exception {
        Path json = tmp.resolve("loops.json");
        CliRun r = CliRun.of("bench", "--loops", "--json", json.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode report = new ObjectMapper().readTree(json.toFile());
        for (String k : new String[] {"resize_500x375_to_512x384_bicubic_ms", "resize_500x375_to_512x384_bicubic_all_cores_ms", "cam_upsample_32x24_to_500x375_ms", "affinity_transition_768_ms",
            "affinity_refine_768_ms", "crf_500x375_3_labels_ms"}) {
            assertTrue(report.path(k).asDouble() > 0, k + " in " + report);
            assertTrue(r.out().contains(k + ": "), r.out());
        }
    }
}

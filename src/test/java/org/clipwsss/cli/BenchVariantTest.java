package org.clipwsss.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** bench --variant: fp32 or quantized, and only for the pipeline benchmark (checked before any model is written). */
class BenchVariantTest {
    @Test
    void unknownVariantsAndQuantizedTrainingBenchmarksAreRefused() {
        CliRun r = CliRun.of("bench", "--variant", "fp16");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("bench --variant must be fp32 or quantized"), r.err());
        for (String other : new String[] {"--crf", "--prompts", "--mask-generator"}) {
            r = CliRun.of("bench", "--variant", "quantized", other);
            assertEquals(1, r.code(), other);
            assertTrue(r.err().contains("--variant quantized is for the pipeline benchmark"), r.err());
        }
    }
}

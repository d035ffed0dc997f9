package org.clipwsss.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** bench --variant: fp32, quantized or fp16, and only for the pipeline benchmark (checked before any model is written). */
class BenchVariantTest {
    @Test
    void unknownVariantsAndQuantizedTrainingBenchmarksAreRefused() {
        CliRun r = CliRun.of("bench", "--variant", "bf16");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("bench --variant must be fp32, quantized or fp16, not 'bf16'"), r.err());
        for (String v : new String[] {"quantized", "fp16"}) {
            for (String other : new String[] {"--crf", "--prompts", "--mask-generator"}) {
                r = CliRun.of("bench", "--variant", v, other);
                assertEquals(1, r.code(), other);
                assertTrue(r.err().contains("--variant " + v + " is for the pipeline benchmark"), r.err());
            }
        }
    }
}

package org.clipwsss.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Options no run can use (NaN, sizes past any image, a labels file that is not there): one line, before any image. */
class BadOptionsTest {
    static final Path VOC = Path.of("src/test/resources/voc-sample");
    static final String TINY = Path.of("onnx-models/clip-tiny").toAbsolutePath().toString();

    static CliRun segment(Path out, String... more) {
        String[] base = {"segment", "--model", TINY, "--input", VOC.resolve("JPEGImages").toString(), "--labels", "cat",
            "--out", out.toString()};
        String[] all = java.util.Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return CliRun.of(all);
    }

    @Test
    void nanAndOutOfRangeOptionsAreRefused(@TempDir Path tmp) {
        for (String[] bad : new String[][] {{"--overlap", "NaN"}, {"--logit-scale", "NaN"}, {"--refine-exponent", "NaN"},
            {"--bg-power", "NaN"}, {"--bg-threshold", "NaN"}, {"--input-size", "100000"}, {"--max-windows", "0"}}) {
            CliRun r = segment(tmp.resolve("out"), bad);
            assertEquals(1, r.code(), String.join(" ", bad) + ": " + r.err());
            assertTrue(r.err().startsWith("clip-wsss: error: invalid pipeline settings ("), r.err());
            assertEquals(1, r.err().strip().split("\n").length, "one line: " + r.err());
            assertFalse(r.err().contains("\tat "), r.err());
        }
    }

    @Test
    void aLabelsFileThatIsNotThereIsNotAClassName(@TempDir Path tmp) {
        CliRun r = CliRun.of("segment", "--model", TINY, "--input", VOC.resolve("JPEGImages").toString(), "--labels", "data/labelz.csv",
                "--out", tmp.resolve("out").toString());
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().startsWith("clip-wsss: error: data/labelz.csv: labels file not found"), r.err());
    }
}

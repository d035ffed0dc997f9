package org.clipwsss.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * segment over all 676 images of ../shared/data/voc2012-sample with clip-tiny, then evaluate against the
 * ground truth. The score means nothing with random weights; the run must complete without an error line.
 * Runs where the shared data is beside the checkout (developer machines and CI).
 */
class VocSampleRunTest {
    static final Path VOC = Path.of("../shared/data/voc2012-sample");

    @Test
    void segmentAndEvaluateTheWholeSample(@TempDir Path tmp) throws Exception {
        Assumptions.assumeTrue(Files.isDirectory(VOC.resolve("JPEGImages")), "../shared/data/voc2012-sample is not here");
        Path out = tmp.resolve("voc");
        StringWriter log = new StringWriter();
        int code = Main.run(new String[] {"segment", "--model", "onnx-models/clip-tiny", "--cache", tmp.resolve("c").toString(),
            "--input", VOC.resolve("JPEGImages").toString(), "--labels", VOC.resolve("labels.csv").toString(),
            "--classes", VOC.resolve("classes.txt").toString(), "--out", out.toString(), "--progress-every", "100"},
                new PrintWriter(log, true), new PrintWriter(log, true));
        assertEquals(0, code, log.toString());
        assertTrue(log.toString().contains("676 images: 676 done, 0 skipped (already complete), 0 failed"), log.toString());
        assertEquals(1, Files.readAllLines(out.resolve("errors.csv")).size(), "only the header");
        StringWriter eval = new StringWriter();
        code = Main.run(new String[] {"evaluate", "--pred", out.resolve("masks").toString(), "--gt",
            VOC.resolve("SegmentationClass").toString(), "--classes", VOC.resolve("classes.txt").toString(), "--json",
            tmp.resolve("eval.json").toString()}, new PrintWriter(eval, true), new PrintWriter(eval, true));
        assertEquals(0, code, eval.toString());
        assertTrue(eval.toString().contains("mIoU") && eval.toString().contains("676 images"), eval.toString());
        System.out.println("voc2012-sample with clip-tiny (random weights): " + eval.toString().lines()
                .filter(l -> l.startsWith("mIoU")).findFirst().orElse(""));
    }
}

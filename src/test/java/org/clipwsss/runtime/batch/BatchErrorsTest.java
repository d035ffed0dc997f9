package org.clipwsss.runtime.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import javax.imageio.ImageIO;
import org.clipwsss.TinyModel;
import org.clipwsss.runtime.pipeline.Pipeline;
import org.clipwsss.runtime.pipeline.PipelineSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Whatever one image throws (Errors included) is reported; an Error after which the run cannot go on stops it cleanly. */
class BatchErrorsTest {
    @TempDir
    static Path cache;
    static TinyModel tiny;

    @BeforeAll
    static void open() {
        tiny = new TinyModel(cache);
    }

    @AfterAll
    static void close() {
        tiny.close();
    }

    @AfterEach
    void clearFaults() {
        FaultyCamSourceProvider.FAULTS.clear();
        FaultyCamSourceProvider.NAN.clear();
        FaultyCamSourceProvider.PREPARED.clear();
        FaultyCamSourceProvider.PREPARED_COUNTS.clear();
        FaultyCamSourceProvider.prepareFault = null;
    }

    @Test
    void theSourceIsPreparedOnceForEveryClassAndAFailureThereLosesNoImage(@TempDir Path tmp) throws Exception {
        Path in = images(tmp, 30, 31);
        Files.writeString(in.resolve("labels.csv"), "image,labels\nw30.png,cat\nw31.png,dog;cat\n");
        PipelineSettings s = PipelineSettings.defaults().withMethod(FaultyCamSourceProvider.METHOD, null)
                .withSynonyms("none", "image").withBackground("none", 0f);
        BatchSummary ok = new BatchJob(Pipeline.create(tiny.model, s), BatchJob.Input.folder(in, in.resolve("labels.csv"), null, null),
                tmp.resolve("a"), new ProgressListener() { }, Map.of("test", true), false).run();
        assertEquals(2, ok.done());
        assertEquals(List.of(List.of("cat", "dog")), FaultyCamSourceProvider.PREPARED, "once, before the images, every class");
        assertEquals(List.of(List.of(1, 2)), FaultyCamSourceProvider.PREPARED_COUNTS, "the images' label counts");
        FaultyCamSourceProvider.prepareFault = () -> new IllegalStateException("text tower down");
        BatchSummary failed = new BatchJob(Pipeline.create(tiny.model, s), BatchJob.Input.folder(in, in.resolve("labels.csv"), null, null),
                tmp.resolve("b"), new ProgressListener() { }, Map.of("test", true), false).run();
        assertEquals(2, failed.done(), "the images ready their own classes");
    }

    @Test
    void outcomesComeInImageOrderAndACancelLosesNothing(@TempDir Path tmp) throws Exception {
        // images are read ahead and written behind: the listener still sees them in order, and a cancel waits for
        // the image being written
        fault(32, () -> new AssertionError("x"));
        Path in = images(tmp, 30, 31, 32, 33, 34, 35, 36);
        List<String> seen = new java.util.ArrayList<>();
        PipelineSettings s = PipelineSettings.defaults().withMethod(FaultyCamSourceProvider.METHOD, null)
                .withSynonyms("none", "image").withBackground("none", 0f);
        ProgressListener cancelAfterFour = new ProgressListener() {
            @Override
            public void imageFinished(ImageOutcome o, int finished, int total) {
                seen.add(o.image() + ":" + finished);
            }

            @Override
            public boolean cancelRequested() {
                return seen.size() >= 4;
            }
        };
        Path out = tmp.resolve("out");
        BatchSummary first = new BatchJob(Pipeline.create(tiny.model, s), BatchJob.Input.folder(in, null, List.of("cat"), null), out,
                cancelAfterFour, Map.of("test", true), false).run();
        assertTrue(first.cancelled());
        assertEquals(List.of("w30.png:1", "w31.png:2", "w32.png:3", "w33.png:4", "w34.png:5"), seen,
                "in order; the image computed when the cancel came is written and reported too");
        for (String done : new String[] {"w30", "w31", "w33", "w34"}) {
            assertTrue(Files.isRegularFile(out.resolve("masks/" + done + ".png")), done);
        }
        BatchSummary second = run(in, out);
        assertEquals(4, second.skipped());
        assertEquals(2, second.done());
    }

    @Test
    void aCamWithNanFailsItsImageNeverBecomesAMask(@TempDir Path tmp) throws Exception {
        FaultyCamSourceProvider.NAN.add(31);
        Path out = tmp.resolve("out");
        BatchSummary s = run(images(tmp, 30, 31), out);
        assertEquals(1, s.done());
        assertEquals(List.of("image,reason", "w31.png,\"the CAM of 'cat' is NaN at x = 1, y = 1 (CAM source: faulty-test)\""),
                Files.readAllLines(out.resolve("errors.csv")));
        assertTrue(Files.notExists(out.resolve("masks/w31.png")));
    }

    /** One small PNG per width, named w{width}.png, all labelled "cat". */
    static Path images(Path tmp, int... widths) throws Exception {
        Path in = tmp.resolve("in");
        Files.createDirectories(in);
        for (int w : widths) {
            ImageIO.write(new BufferedImage(w, 20, BufferedImage.TYPE_INT_RGB), "png", in.resolve("w" + w + ".png").toFile());
        }
        return in;
    }

    static BatchSummary run(Path in, Path out) {
        PipelineSettings s = PipelineSettings.defaults().withMethod(FaultyCamSourceProvider.METHOD, null)
                .withSynonyms("none", "image").withBackground("none", 0f);
        Pipeline p = Pipeline.create(tiny.model, s);
        return new BatchJob(p, BatchJob.Input.folder(in, null, List.of("cat"), null), out, new ProgressListener() { },
                Map.of("test", true), false).run();
    }

    static void fault(int width, Supplier<Throwable> t) {
        FaultyCamSourceProvider.FAULTS.put(width, t);
    }

    @Test
    void errorsInsideOneImageAreReportedAndTheBatchGoesOn(@TempDir Path tmp) throws Exception {
        fault(31, () -> new AssertionError("No tokenizers version found in property file"));
        fault(32, StackOverflowError::new);
        fault(33, () -> new OutOfMemoryError("Java heap space"));
        fault(34, () -> new IllegalStateException("a bug"));
        Path out = tmp.resolve("out");
        BatchSummary s = run(images(tmp, 30, 31, 32, 33, 34, 35), out);
        assertEquals(2, s.done());
        assertEquals(4, s.failed());
        assertNull(s.stoppedBy());
        assertNull(s.failure(), "some images were done: the run is a result, with its failures listed");
        List<String> errors = Files.readAllLines(out.resolve("errors.csv"));
        assertEquals(List.of("image,reason",
                "w31.png,AssertionError: No tokenizers version found in property file",
                "w32.png,StackOverflowError: stack overflow",
                "w33.png,OutOfMemoryError: Java heap space (not enough memory; give Java more heap with -Xmx or Fiji's Edit > Options > Memory)",
                "w34.png,IllegalStateException: a bug"), errors);
        assertTrue(Files.isRegularFile(out.resolve("masks/w30.png")) && Files.isRegularFile(out.resolve("masks/w35.png")));
        JsonNode run = new ObjectMapper().readTree(out.resolve("run.json").toFile());
        assertEquals(4, run.path("counts").path("failed").asInt());
        assertEquals(0, run.path("counts").path("not_processed").asInt());
        assertEquals(org.clipwsss.runtime.Version.get(), run.path("clip_wsss_version").asText(), "run.json says which version made it");
    }

    @Test
    void anErrorAfterWhichTheRunCannotGoOnStopsItWithItsReportsWritten(@TempDir Path tmp) throws Exception {
        fault(31, () -> new NoClassDefFoundError("ai/djl/huggingface/tokenizers/jni/TokenizersLibrary"));
        Path out = tmp.resolve("out");
        BatchSummary s = run(images(tmp, 30, 31, 32, 33), out);
        assertEquals(1, s.done());
        assertEquals(1, s.failed());
        assertEquals(2, s.notProcessed());
        assertEquals("w31.png: NoClassDefFoundError: ai/djl/huggingface/tokenizers/jni/TokenizersLibrary", s.stoppedBy());
        assertNotNull(s.failure());
        assertTrue(s.failure().startsWith("the run stopped at w31.png: NoClassDefFoundError"), s.failure());
        assertTrue(s.oneLine().contains("STOPPED") && s.oneLine().contains("2 not processed"), s.oneLine());
        assertEquals(List.of("image,reason", "w31.png,NoClassDefFoundError: ai/djl/huggingface/tokenizers/jni/TokenizersLibrary"),
                Files.readAllLines(out.resolve("errors.csv")));
        JsonNode run = new ObjectMapper().readTree(out.resolve("run.json").toFile());
        assertEquals(2, run.path("counts").path("not_processed").asInt());
        assertTrue(run.path("stopped_by").asText().contains("NoClassDefFoundError"), run.toString());
        assertTrue(Files.notExists(out.resolve("masks/w32.png")), "nothing after the stop");
    }

    @Test
    void aRunInWhichEveryImageFailedIsAFailureNotAResult(@TempDir Path tmp) throws Exception {
        fault(30, () -> new AssertionError("boom"));
        fault(31, () -> new AssertionError("boom"));
        BatchSummary s = run(images(tmp, 30, 31), tmp.resolve("out"));
        assertEquals(2, s.failed());
        assertNull(s.stoppedBy());
        assertTrue(s.failure().startsWith("every image failed (w30.png: AssertionError: boom)"), s.failure());
    }
}

package org.clipwsss.runtime.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.clipwsss.TinyModel;
import org.clipwsss.runtime.ClipWsssException;
import org.clipwsss.runtime.pipeline.Pipeline;
import org.clipwsss.runtime.pipeline.PipelineSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad files and bad reruns against the batch, each built here: nothing is lost, nothing is mixed, each is said plainly. */
class HostileBatchTest {
    static final Path VOC = Path.of("src/test/resources/voc-sample");
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

    static PipelineSettings quick() {
        return PipelineSettings.defaults().withSynonyms("none", "image");
    }

    static BatchSummary run(Path in, Path out, PipelineSettings s, boolean overwrite, List<String> labels, long maxPixels) {
        Pipeline p = Pipeline.create(tiny.model, s);
        BatchJob.Input input = BatchJob.Input.folder(in, null, labels, null).withMaxPixels(maxPixels);
        return new BatchJob(p, input, out, new ProgressListener() { }, Map.of("folder", "clip-tiny"), overwrite).run();
    }

    static BatchSummary run(Path in, Path out, PipelineSettings s, boolean overwrite) {
        return run(in, out, s, overwrite, List.of("cat", "dog"), 50_000_000L);
    }

    static Path photos(Path tmp, String... names) throws Exception {
        Path in = tmp.resolve("in");
        Files.createDirectories(in);
        for (String n : names) {
            Files.copy(VOC.resolve("JPEGImages/" + n + ".jpg"), in.resolve(n + ".jpg"));
        }
        return in;
    }

    @Test
    void aSmallFileDeclaringAHugeImageIsRefusedFromItsHeader(@TempDir Path tmp) throws Exception {
        Path in = photos(tmp, "2007_000032");
        Files.write(in.resolve("bomb.png"), org.clipwsss.host.HostsAccess.pngDeclaring(20000, 20000));
        BatchSummary s = run(in, tmp.resolve("out"), quick(), false, List.of("cat"), 10_000_000L);
        assertEquals(1, s.done());
        String errors = Files.readString(tmp.resolve("out/errors.csv"));
        assertTrue(errors.contains("bomb.png") && errors.contains("image of 20000x20000 pixels (400 MP) is over the limit of 10 MP"), errors);
    }

    @Test
    void namesThatDifferOnlyInTheExtensionAreBothReportedAndNeitherIsLost(@TempDir Path tmp) throws Exception {
        Path in = photos(tmp, "2007_000032");
        ImageIO.write(new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB), "png", in.resolve("2007_000032.png").toFile());
        Path out = tmp.resolve("out");
        BatchSummary s = run(in, out, quick(), false);
        assertEquals(0, s.done());
        assertEquals(2, s.failed());
        String errors = Files.readString(out.resolve("errors.csv"));
        assertTrue(errors.contains("2007_000032.jpg,its outputs (2007_000032.*) would be the same files as those of 2007_000032.png"), errors);
        assertTrue(errors.contains("2007_000032.png,its outputs (2007_000032.*) would be the same files as those of 2007_000032.jpg"), errors);
        assertFalse(Files.exists(out.resolve("masks/2007_000032.png")), "neither wrote the shared outputs");
    }

    @Test
    void aRerunWithOtherSettingsIsRefusedNamingThemAndOverwriteRecomputes(@TempDir Path tmp) throws Exception {
        Path in = photos(tmp, "2007_000032", "2007_000039");
        Path out = tmp.resolve("out");
        assertEquals(2, run(in, out, quick(), false).done());
        assertEquals(2, run(in, out, quick(), false).skipped(), "the same settings resume");
        ClipWsssException e = assertThrows(ClipWsssException.class,
                () -> run(in, out, quick().withMethod("maskclip", null), false));
        assertTrue(e.getMessage().contains("was made with other settings (method: clearclip -> maskclip;"), e.getMessage());
        assertTrue(e.getMessage().contains("use --overwrite"), e.getMessage());
        e = assertThrows(ClipWsssException.class, () -> run(in, out, quick(), false, List.of("dog", "cat"), 50_000_000L));
        assertTrue(e.getMessage().contains("classes: [\"background\",\"cat\",\"dog\"] -> [\"background\",\"dog\",\"cat\"]"), e.getMessage());
        assertEquals(2, run(in, out, quick().withMethod("maskclip", null), true).done(), "--overwrite recomputes");
        assertTrue(Files.readString(out.resolve("run.json")).contains("\"method\" : \"maskclip\""));
    }

    @Test
    void aSecondRunIntoALockedFolderStopsWithAClearError(@TempDir Path tmp) throws Exception {
        Path in = photos(tmp, "2007_000032");
        Path out = tmp.resolve("out");
        Files.createDirectories(out);
        try (OutputLock held = OutputLock.acquire(out)) {
            ClipWsssException e = assertThrows(ClipWsssException.class, () -> run(in, out, quick(), false));
            assertTrue(e.getMessage().contains("another run is writing to this output folder"), e.getMessage());
        }
        assertEquals(1, run(in, out, quick(), false).done(), "the lock is released with its holder");
    }

    @Test
    void emptyOrCutOutputsAndOutputsForOtherLabelsAreRedoneAndStaleTemporariesRemoved(@TempDir Path tmp) throws Exception {
        Path in = photos(tmp, "2007_000032", "2007_000039", "2007_001763");
        Path out = tmp.resolve("out");
        assertEquals(3, run(in, out, quick(), false).done());
        Files.write(out.resolve("cams/2007_000032.npy"), new byte[0]);
        byte[] png = Files.readAllBytes(out.resolve("masks/2007_000039.png"));
        Files.write(out.resolve("masks/2007_000039.png"), java.util.Arrays.copyOf(png, png.length / 2));
        Path stale = out.resolve("cams/.2007_001763.npy.3fa9c2.tmp");
        Files.writeString(stale, "half");
        BatchSummary s = run(in, out, quick(), false);
        assertEquals(2, s.done(), "the empty CAM file and the cut mask are redone");
        assertEquals(1, s.skipped());
        assertFalse(Files.exists(stale), "a killed run's temporary file is removed");
        assertTrue(OutputCheck.npyComplete(out.resolve("cams/2007_000032.npy")));
        // the same image with other labels (the settings are the same) is redone for its new labels
        Path csv = tmp.resolve("labels.csv");
        Files.writeString(csv, "image,labels\n2007_000032,cat\n2007_000039,cat\n2007_001763,cat;dog\n");
        Pipeline p = Pipeline.create(tiny.model, quick());
        BatchSummary relabelled = new BatchJob(p, BatchJob.Input.folder(in, csv, null, VOC.resolve("classes.txt")), tmp.resolve("out2"),
                new ProgressListener() { }, Map.of("folder", "clip-tiny"), false).run();
        assertEquals(3, relabelled.done());
        Files.writeString(csv, "image,labels\n2007_000032,dog\n2007_000039,cat\n2007_001763,cat;dog\n");
        relabelled = new BatchJob(p, BatchJob.Input.folder(in, csv, null, VOC.resolve("classes.txt")), tmp.resolve("out2"),
                new ProgressListener() { }, Map.of("folder", "clip-tiny"), false).run();
        assertEquals(1, relabelled.done(), "only the image whose labels changed");
        assertEquals(2, relabelled.skipped());
    }

    @Test
    void aTruncatedJpegAndACmykJpegFailWithTheirReasons(@TempDir Path tmp) throws Exception {
        Path in = photos(tmp, "2007_000039");
        byte[] jpeg = Files.readAllBytes(VOC.resolve("JPEGImages/2007_000032.jpg"));
        Files.write(in.resolve("cut.jpg"), java.util.Arrays.copyOf(jpeg, jpeg.length / 2));
        java.awt.image.WritableRaster cmyk = java.awt.image.Raster.createInterleavedRaster(java.awt.image.DataBuffer.TYPE_BYTE, 32, 24, 4, null);
        javax.imageio.ImageWriter w = ImageIO.getImageWritersByFormatName("jpeg").next();
        try (javax.imageio.stream.ImageOutputStream o = ImageIO.createImageOutputStream(in.resolve("cmyk.jpg").toFile())) {
            w.setOutput(o);
            w.write(new javax.imageio.IIOImage(cmyk, null, null));
        } finally {
            w.dispose();
        }
        Path out = tmp.resolve("out");
        BatchSummary s = run(in, out, quick(), false);
        assertEquals(1, s.done());
        String errors = Files.readString(out.resolve("errors.csv"));
        assertTrue(errors.contains("cut.jpg") && errors.contains("truncated or corrupt image (the decoder warned:"), errors);
        assertTrue(errors.contains("cmyk.jpg") && errors.contains("CMYK or YCCK JPEG (4 colour components) is not supported"), errors);
    }

    @Test
    void theDatasetSelectionIsKeyedOnItsInputs(@TempDir Path tmp) throws Exception {
        Path in = photos(tmp, "2007_000032", "2007_000039");
        Path out = tmp.resolve("out");
        PipelineSettings dataset = PipelineSettings.defaults().withSynonyms("gpt_prompts", "dataset");
        run(in, out, dataset, false);
        String first = Files.readString(out.resolve("synonyms-dataset.json"));
        assertTrue(first.contains("\"key\""), first);
        run(in, out, dataset, true);
        // another list in another folder run: recomputed, not reused
        Path other = tmp.resolve("other");
        Files.writeString(tmp.resolve("list.csv"), "cat,kitty\ncat,feline\ndog,puppy\n");
        run(in, other, PipelineSettings.defaults().withSynonyms(tmp.resolve("list.csv").toString(), "dataset"), false);
        assertTrue(Files.readString(other.resolve("synonyms-dataset.json")).contains("list.csv"));
    }
}

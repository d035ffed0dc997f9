package org.clipwsss.runtime.batch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.clipwsss.Fixtures;
import org.clipwsss.TinyModel;
import org.clipwsss.runtime.clip.ClipModel;
import org.clipwsss.runtime.io.Npy;
import org.clipwsss.runtime.io.NpyArray;
import org.clipwsss.runtime.mask.LabelImage;
import org.clipwsss.runtime.mask.PalettePng;
import org.clipwsss.runtime.pipeline.Pipeline;
import org.clipwsss.runtime.pipeline.PipelineSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A folder with good and bad images: every good one gets its outputs, every bad one a reason, and reruns resume. */
class BatchJobTest {
    static final Path VOC = Path.of("src/test/resources/voc-sample");
    @TempDir
    static Path cache;
    static TinyModel tiny;
    static ClipModel model;

    @BeforeAll
    static void open() {
        tiny = new TinyModel(cache);
        model = tiny.model;
    }

    @AfterAll
    static void close() {
        tiny.close();
    }

    /** 3 VOC photos, an RGBA PNG, a 16-bit TIFF, a 1-pixel-wide image, a corrupt JPEG, an unlabelled image. */
    static Path folder(Path tmp) throws Exception {
        Path in = tmp.resolve("in");
        Files.createDirectories(in);
        StringBuilder csv = new StringBuilder("image,labels\n");
        for (String n : new String[] {"2007_000032", "2007_000039", "2007_001763"}) {
            Files.copy(VOC.resolve("JPEGImages/" + n + ".jpg"), in.resolve(n + ".jpg"));
        }
        csv.append(Files.readString(VOC.resolve("labels.csv")).lines().skip(1)
                .map(l -> l + "\n").reduce("", String::concat));
        Files.copy(Fixtures.CONFORMANCE.resolve("preprocess/images/rgba_256.png"), in.resolve("rgba.png"));
        csv.append("rgba,cat;dog\n");
        BufferedImage g16 = new BufferedImage(40, 30, BufferedImage.TYPE_USHORT_GRAY);
        for (int y = 0; y < 30; y++) {
            for (int x = 0; x < 40; x++) {
                g16.getRaster().setSample(x, y, 0, (x * y * 37) % 4096);
            }
        }
        ImageIO.write(g16, "tiff", in.resolve("cells16.tif").toFile());
        csv.append("cells16.tif,cat\n");
        BufferedImage line = new BufferedImage(1, 120, BufferedImage.TYPE_INT_RGB);
        ImageIO.write(line, "png", in.resolve("line.png").toFile());
        csv.append("line,dog\n");
        Files.write(in.resolve("corrupt.jpg"), new byte[] {(byte) 0xff, (byte) 0xd8, (byte) 0xff, 0, 1, 2});
        csv.append("corrupt,cat\n");
        Files.copy(VOC.resolve("JPEGImages/2007_000039.jpg"), in.resolve("unlabelled.jpg"));
        Files.copy(VOC.resolve("JPEGImages/2007_000039.jpg"), in.resolve("alien.jpg"));
        csv.append("alien,spaceship\n");
        Files.writeString(tmp.resolve("labels.csv"), csv.toString());
        return in;
    }

    static final class Recorder implements ProgressListener {
        final List<ImageOutcome> outcomes = new ArrayList<>();
        int cancelAfter = Integer.MAX_VALUE;

        @Override
        public void imageFinished(ImageOutcome o, int finished, int total) {
            outcomes.add(o);
        }

        @Override
        public boolean cancelRequested() {
            return outcomes.size() >= cancelAfter;
        }
    }

    private BatchSummary run(Path tmp, Path in, Path out, Recorder rec) {
        Pipeline p = Pipeline.create(model, PipelineSettings.defaults());
        BatchJob.Input input = BatchJob.Input.folder(in, tmp.resolve("labels.csv"), null, VOC.resolve("classes.txt"));
        return new BatchJob(p, input, out, rec, Map.of("test", true), false).run();
    }

    @Test
    void goodImagesGetOutputsBadOnesAReasonAndRerunsResume(@TempDir Path tmp) throws Exception {
        Path in = folder(tmp);
        Path out = tmp.resolve("out");
        Recorder first = new Recorder();
        first.cancelAfter = 4;
        BatchSummary s1 = run(tmp, in, out, first);
        assertTrue(s1.cancelled());
        assertEquals(4, first.outcomes.size(), "cancel stops after the current image");

        Recorder second = new Recorder();
        BatchSummary s = run(tmp, in, out, second);
        assertEquals(9, s.total());
        assertEquals(s1.done(), s.skipped(), "images finished before the cancel are skipped");
        assertEquals(6 - s1.done(), s.done());
        assertEquals(3, s.failed());
        String errors = Files.readString(out.resolve("errors.csv"));
        assertTrue(errors.contains("corrupt.jpg,") && errors.contains("not a readable image"), errors);
        assertTrue(errors.contains("unlabelled.jpg,missing labels"), errors);
        assertTrue(errors.contains("alien.jpg,\"unknown class 'spaceship'"), errors);

        NpyArray cams = Npy.read(out.resolve("cams/2007_001763.npy"));
        assertArrayEquals(new long[] {4, 375, 500}, cams.shape());
        LabelImage mask = PalettePng.read(out.resolve("masks/2007_001763.png"));
        for (int v : mask.values()) {
            assertTrue(List.of(0, 8, 12, 18, 20).contains(v), "mask value " + v);
        }
        assertArrayEquals(new long[] {1, 120, 1}, Npy.read(out.resolve("cams/line.npy")).shape());
        assertArrayEquals(new long[] {1, 30, 40}, Npy.read(out.resolve("cams/cells16.npy")).shape());
        assertArrayEquals(new long[] {2, 256, 256}, Npy.read(out.resolve("cams/rgba.npy")).shape());
        assertTrue(Files.isRegularFile(out.resolve("overlays/rgba.png")));
        List<String> selection = Files.readAllLines(out.resolve("selection.csv"));
        assertEquals("image,class,chosen_name,probability", selection.get(0));
        assertEquals(1 + 2 + 1 + 4 + 2 + 1 + 1, selection.size(), "a row per (image, class), resumed images included");
        String run = Files.readString(out.resolve("run.json"));
        assertTrue(run.contains("\"failed\" : 3") && run.contains("\"stages\""), run);
        try (var files = Files.list(out.resolve("cams"))) {
            assertTrue(files.noneMatch(f -> f.toString().endsWith(".part") || f.toString().contains(".tmp")), "no temporary files left");
        }

        // an image whose outputs are incomplete (a crash between files) is redone, the rest skipped
        Files.delete(out.resolve("overlays/2007_000039.png"));
        BatchSummary s3 = run(tmp, in, out, new Recorder());
        assertEquals(1, s3.done());
        assertEquals(5, s3.skipped());
    }
}

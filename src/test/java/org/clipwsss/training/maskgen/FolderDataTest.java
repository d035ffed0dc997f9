package org.clipwsss.training.maskgen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.clipwsss.TinyModel;
import org.clipwsss.runtime.image.ImageFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Folder data keeps 8-bit crops and gives exactly the preprocessed pixels; bad files are left out and reported. */
class FolderDataTest {
    static final Path IMAGES = Path.of("src/test/resources/voc-sample/JPEGImages");

    @Test
    void heldImagesNormaliseToThePreprocessedPixelsAndBadFilesAreReported(@TempDir Path tmp) throws Exception {
        try (TinyModel tiny = new TinyModel(tmp.resolve("cache"))) {
            Path broken = tmp.resolve("broken.jpg");
            Files.writeString(broken, "not a jpeg");
            List<Path> files = List.of(IMAGES.resolve("2007_000032.jpg"), broken, IMAGES.resolve("2007_000039.jpg"),
                    IMAGES.resolve("2007_001763.jpg"));
            List<String> problems = new ArrayList<>();
            MaskGeneratorTrainer.Data d = FolderData.build(tiny.model, files, f -> f.getFileName().toString().startsWith("2007_0000")
                    ? List.of("person") : f.getFileName().toString().startsWith("2007_001") ? List.of("cat", "horse") : List.of("cat"),
                    List.of("person", "cat"), problems::add);
            assertEquals(2, problems.size(), problems.toString());
            assertTrue(problems.get(0).startsWith("broken.jpg: "), problems.get(0));
            assertTrue(problems.get(1).contains("2007_001763.jpg: unknown class 'horse'"), problems.get(1));
            assertEquals(2, d.n());
            assertArrayEquals(new float[] {1, 0, 1, 0}, d.targets());
            float[] expected = tiny.model.folder().preprocessor().preprocess(ImageFiles.read(IMAGES.resolve("2007_000039.jpg")));
            assertArrayEquals(expected, d.images().pixels(1));
        }
    }
}

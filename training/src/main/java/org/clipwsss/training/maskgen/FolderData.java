package org.clipwsss.training.maskgen;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import org.clipwsss.runtime.ClipWsssException;
import org.clipwsss.runtime.clip.ClipModel;
import org.clipwsss.runtime.image.ClipPreprocessor;
import org.clipwsss.runtime.image.ImageFiles;
import org.clipwsss.runtime.image.Raster8;

/**
 * Mask-generator training data from a folder of images and their labels: each image resized and centre-cropped to
 * the model's input and kept as 8-bit pixels (3 bytes per pixel rather than 12: a large set fits in memory),
 * normalised when a batch asks for it, and its 0/1 class targets. Images that cannot be read, have no labels or name an
 * unknown class are left out and reported, one line each; the rest go on.
 */
public final class FolderData {
    private FolderData() {
    }

    /**
     * @param labelsOf the labels of an image file (null: none known)
     * @param problems receives one line per image left out
     */
    public static MaskGeneratorTrainer.Data build(ClipModel model, List<Path> images, Function<Path, List<String>> labelsOf,
            List<String> classes, Consumer<String> problems) {
        ClipPreprocessor pre = model.folder().preprocessor();
        int s = pre.size();
        int k = classes.size();
        long hash = 17;
        List<Raster8> pixels = new ArrayList<>();
        List<float[]> targets = new ArrayList<>();
        for (Path file : images) {
            try {
                List<String> labels = labelsOf.apply(file);
                if (labels == null) {
                    throw new ClipWsssException("missing labels");
                }
                float[] y = new float[k];
                for (String l : labels) {
                    int c = classes.indexOf(l);
                    if (c < 0) {
                        throw new ClipWsssException("unknown class '" + l + "' (not in " + classes + ")");
                    }
                    y[c] = 1;
                }
                Raster8 x = pre.resizeAndCrop(ImageFiles.read(file));
                if (x.width() != s || x.height() != s) {
                    throw new ClipWsssException("preprocessed to " + x.width() + " x " + x.height() + ", expected " + s + " x " + s);
                }
                pixels.add(x);
                hash = hash * 31 + file.getFileName().toString().hashCode();
                targets.add(y);
            } catch (ClipWsssException e) {
                problems.accept(file.getFileName() + ": " + e.getMessage());
            }
        }
        int n = pixels.size();
        float[] y = new float[n * k];
        for (int i = 0; i < n; i++) {
            System.arraycopy(targets.get(i), 0, y, i * k, k);
            hash = hash * 31 + java.util.Arrays.hashCode(pixels.get(i).data());
        }
        long id = hash;
        MaskGeneratorTrainer.Images kept = new MaskGeneratorTrainer.Images() {
            @Override
            public float[] pixels(int i) {
                return pre.normalize(pixels.get(i));
            }

            @Override
            public long hash() {
                return id;
            }
        };
        return new MaskGeneratorTrainer.Data(kept, y, n, s, k);
    }
}

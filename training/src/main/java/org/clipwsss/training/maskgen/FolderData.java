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

/**
 * Mask-generator training data from a folder of images and their labels: each image as the model's normalised
 * input (resize, centre crop) and its 0/1 class targets. Images that cannot be read, have no labels or name an
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
        int per = 3 * s * s;
        int k = classes.size();
        List<float[]> pixels = new ArrayList<>();
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
                float[] x = pre.preprocess(ImageFiles.read(file));
                if (x.length != per) {
                    throw new ClipWsssException("preprocessed to " + x.length + " values, expected " + per);
                }
                pixels.add(x);
                targets.add(y);
            } catch (ClipWsssException e) {
                problems.accept(file.getFileName() + ": " + e.getMessage());
            }
        }
        int n = pixels.size();
        float[] px = new float[n * per];
        float[] y = new float[n * k];
        for (int i = 0; i < n; i++) {
            System.arraycopy(pixels.get(i), 0, px, i * per, per);
            System.arraycopy(targets.get(i), 0, y, i * k, k);
        }
        return new MaskGeneratorTrainer.Data(px, y, n, s, k);
    }
}

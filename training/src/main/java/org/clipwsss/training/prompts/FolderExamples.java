package org.clipwsss.training.prompts;

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
import org.clipwsss.runtime.io.NpyArray;
import org.clipwsss.runtime.pipeline.ImageResult;
import org.clipwsss.runtime.pipeline.Pipeline;
import org.clipwsss.runtime.select.SynonymSelector;

/**
 * Prompt-learning examples from a folder of images and their labels, streaming: each image's masks come from
 * the pipeline's CAMs (frozen), and only the image embedding of each (image, present class) background —
 * (1 - M_k) * X at the model's input — is kept, so memory grows with the number of pairs, not of pixels.
 */
public final class FolderExamples {
    private FolderExamples() {
    }

    /**
     * What a pass over the folder keeps per (image, present class) pair: the pair {image, class}, the image
     * embedding of {@code (1 - M_k) X} and, when asked for, of {@code M_k X} [P,E] (else null), and the name the
     * pipeline's synonym selection chose for the class in that image; {@code hash} identifies the data.
     */
    public record Collected(int[][] pairs, float[] background, float[] foreground, List<String> names, long hash) { }

    /**
     * @param labelsOf the labels of an image file (null: none known)
     * @param problems receives one line per image left out (unreadable, no labels, unknown class)
     */
    public static PromptTrainer.Examples build(ClipModel model, Pipeline pipeline, List<Path> images,
            Function<Path, List<String>> labelsOf, List<String> classes, Consumer<String> problems) {
        Collected c = collect(model, pipeline, images, labelsOf, classes, problems, false);
        return new PromptTrainer.Examples(c.pairs(), c.background(), c.hash());
    }

    /** As {@link #build}, keeping the foreground embeddings too when {@code foreground}, and the selected names. */
    public static Collected collect(ClipModel model, Pipeline pipeline, List<Path> images,
            Function<Path, List<String>> labelsOf, List<String> classes, Consumer<String> problems, boolean foreground) {
        ClipPreprocessor pre = model.folder().preprocessor();
        int s = pre.size();
        int plane = s * s;
        List<int[]> pairs = new ArrayList<>();
        List<float[]> embeds = new ArrayList<>();
        List<float[]> fgEmbeds = new ArrayList<>();
        List<String> names = new ArrayList<>();
        long hash = 17;
        for (int img = 0; img < images.size(); img++) {
            Path file = images.get(img);
            try {
                List<String> labels = labelsOf.apply(file);
                if (labels == null) {
                    throw new ClipWsssException("missing labels");
                }
                int[] cls = new int[labels.size()];
                for (int k = 0; k < cls.length; k++) {
                    cls[k] = classes.indexOf(labels.get(k));
                    if (cls[k] < 0) {
                        throw new ClipWsssException("unknown class '" + labels.get(k) + "' (not in " + classes + ")");
                    }
                }
                if (cls.length == 0) {
                    continue;
                }
                Raster8 raster = ImageFiles.read(file);
                ImageResult r = pipeline.process(raster, labels, null);
                float[] x = pre.preprocess(raster);
                float[][] masks = SynonymSelector.masksAtInput(pre, r.cams());
                int sides = foreground ? 2 : 1;
                float[] batch = new float[sides * cls.length * 3 * plane];
                for (int side = 0; side < sides; side++) {
                    for (int k = 0; k < cls.length; k++) {
                        int base = (side * cls.length + k) * 3 * plane;
                        for (int c = 0; c < 3; c++) {
                            for (int i = 0; i < plane; i++) {
                                float m = side == 0 ? 1 - masks[k][i] : masks[k][i];
                                batch[base + c * plane + i] = m * x[c * plane + i];
                            }
                        }
                    }
                }
                float[] v = model.imageEmbeds(NpyArray.ofFloats(batch, sides * cls.length, 3, s, s)).floats();
                int e = model.config().projectionDim();
                for (int k = 0; k < cls.length; k++) {
                    pairs.add(new int[] {img, cls[k]});
                    embeds.add(java.util.Arrays.copyOfRange(v, k * e, (k + 1) * e));
                    if (foreground) {
                        fgEmbeds.add(java.util.Arrays.copyOfRange(v, (cls.length + k) * e, (cls.length + k + 1) * e));
                    }
                    names.add(r.prompts().get(k).name());
                }
                hash = hash * 31 + file.getFileName().toString().hashCode() * 7L + labels.hashCode();
            } catch (ClipWsssException e) {
                problems.accept(file.getFileName() + ": " + e.getMessage());
            }
        }
        return new Collected(pairs.toArray(new int[0][]), rows(embeds), foreground ? rows(fgEmbeds) : null, names, hash);
    }

    private static float[] rows(List<float[]> list) {
        int e = list.isEmpty() ? 0 : list.get(0).length;
        float[] all = new float[list.size() * e];
        for (int i = 0; i < list.size(); i++) {
            System.arraycopy(list.get(i), 0, all, i * e, e);
        }
        return all;
    }
}

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
     * @param labelsOf the labels of an image file (null: none known)
     * @param problems receives one line per image left out (unreadable, no labels, unknown class)
     */
    public static PromptTrainer.Examples build(ClipModel model, Pipeline pipeline, List<Path> images,
            Function<Path, List<String>> labelsOf, List<String> classes, Consumer<String> problems) {
        ClipPreprocessor pre = model.folder().preprocessor();
        int s = pre.size();
        int plane = s * s;
        List<int[]> pairs = new ArrayList<>();
        List<float[]> embeds = new ArrayList<>();
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
                float[] batch = new float[cls.length * 3 * plane];
                for (int k = 0; k < cls.length; k++) {
                    for (int c = 0; c < 3; c++) {
                        for (int i = 0; i < plane; i++) {
                            batch[(k * 3 + c) * plane + i] = (1 - masks[k][i]) * x[c * plane + i];
                        }
                    }
                }
                NpyArray v = model.imageEmbeds(NpyArray.ofFloats(batch, cls.length, 3, s, s));
                int e = (int) v.shape()[1];
                for (int k = 0; k < cls.length; k++) {
                    pairs.add(new int[] {img, cls[k]});
                    embeds.add(java.util.Arrays.copyOfRange(v.floats(), k * e, (k + 1) * e));
                }
                hash = hash * 31 + file.getFileName().toString().hashCode() * 7L + labels.hashCode();
            } catch (ClipWsssException e) {
                problems.accept(file.getFileName() + ": " + e.getMessage());
            }
        }
        int e = model.config().projectionDim();
        float[] all = new float[embeds.size() * e];
        for (int i = 0; i < embeds.size(); i++) {
            System.arraycopy(embeds.get(i), 0, all, i * e, e);
        }
        return new PromptTrainer.Examples(pairs.toArray(new int[0][]), all, hash);
    }
}

package org.clipwsss.runtime.select;

import java.util.ArrayList;
import java.util.List;
import org.clipwsss.runtime.cam.Cams;
import org.clipwsss.runtime.cam.FloatMaps;
import org.clipwsss.runtime.cam.TextEmbeddings;
import org.clipwsss.runtime.clip.Adapters;
import org.clipwsss.runtime.clip.ClipModel;
import org.clipwsss.runtime.clip.Similarity;
import org.clipwsss.runtime.image.ClipPreprocessor;
import org.clipwsss.runtime.image.Raster8;
import org.clipwsss.runtime.io.NpyArray;
import org.clipwsss.runtime.prompts.Templates;

/**
 * POLE's synonym selection: for each class k of an image, mask the model input with the class's activation
 * map (multiplied into the normalised pixel tensor, as CLIMS/POLE/SemPLeS do), embed it, score
 * {@code template(s)} for every candidate s by cosine similarity, softmax over the candidates with the
 * logit scale, keep the most probable. Trained POLE adapters, when given, adapt both embeddings first.
 */
public final class SynonymSelector {
    private final ClipModel model;
    private final ClipPreprocessor pre;
    private final TextEmbeddings text;
    private final String template;
    private final float logitScale;
    private final Adapters adapters;

    public SynonymSelector(ClipModel model, ClipPreprocessor pre, TextEmbeddings text, String template, float logitScale) {
        this(model, pre, text, template, logitScale, null);
    }

    /**
     * With trained POLE adapters: the masked images' embeddings pass the image adapter; {@code text} must then give
     * text embeddings through the text adapter ({@link TextEmbeddings#of(ClipModel, Adapters)}).
     */
    public SynonymSelector(ClipModel model, ClipPreprocessor pre, TextEmbeddings text, String template, float logitScale,
            Adapters adapters) {
        this.adapters = adapters;
        this.model = model;
        this.pre = pre;
        this.text = text;
        this.template = template;
        this.logitScale = logitScale;
    }

    /** Scores the candidates of every class of {@code image}, masking with its CAMs (one image run for all classes). */
    public List<SynonymScores> select(Raster8 image, Cams cams, List<List<String>> candidates) {
        return select(pre.preprocess(image), masksAtInput(pre, cams), cams.classes(), candidates);
    }

    /**
     * The CAMs mapped onto the model's input exactly as the image's pixels are (resize, centre crop): one
     * [S*S] mask per class, to multiply into the normalised pixel tensor.
     */
    public static float[][] masksAtInput(ClipPreprocessor pre, Cams cams) {
        ClipPreprocessor.Geometry g = pre.geometry(cams.width(), cams.height());
        float[][] masks = new float[cams.maps().length][];
        for (int k = 0; k < masks.length; k++) {
            float[] resized = FloatMaps.resizeBilinear(cams.maps()[k], cams.width(), cams.height(), g.resizedWidth(),
                    g.resizedHeight());
            masks[k] = FloatMaps.crop(resized, g.resizedWidth(), g.resizedHeight(), g.left(), g.top(), g.cropWidth(),
                    g.cropHeight());
        }
        return masks;
    }

    /**
     * The core: {@code pixels} is one normalised model input [3*S*S], {@code masks[k]} the class's map at the
     * model's input [S*S].
     */
    public List<SynonymScores> select(float[] pixels, float[][] masks, List<String> labels, List<List<String>> candidates) {
        int plane = masks.length == 0 ? 0 : masks[0].length;
        int side = (int) Math.round(Math.sqrt(plane));
        float[] batch = new float[masks.length * 3 * plane];
        for (int k = 0; k < masks.length; k++) {
            for (int c = 0; c < 3; c++) {
                for (int i = 0; i < plane; i++) {
                    batch[(k * 3 + c) * plane + i] = pixels[c * plane + i] * masks[k][i];
                }
            }
        }
        List<SynonymScores> out = new ArrayList<>();
        if (masks.length == 0) {
            return out;
        }
        NpyArray embeds = model.imageEmbeds(NpyArray.ofFloats(batch, masks.length, 3, side, side));
        int e = (int) embeds.shape()[1];
        float[] img = adapters == null ? Similarity.normalizeRows(embeds.floats(), e) : adapters.adaptImageRows(embeds.floats());
        for (int k = 0; k < masks.length; k++) {
            List<String> cands = candidates.get(k);
            List<String> prompts = cands.stream().map(s -> Templates.apply(template, s)).toList();
            float[][] t = text.get(prompts);
            float[] cos = new float[cands.size()];
            for (int j = 0; j < cos.length; j++) {
                double dot = 0;
                for (int d = 0; d < e; d++) {
                    dot += (double) img[k * e + d] * t[j][d];
                }
                cos[j] = (float) dot;
            }
            float[] prob = Similarity.softmax(cos, logitScale);
            int best = 0;
            for (int j = 1; j < prob.length; j++) {
                if (prob[j] > prob[best]) {
                    best = j;
                }
            }
            out.add(new SynonymScores(labels.get(k), cands, cos, prob, cands.get(best)));
        }
        return out;
    }

    public String template() {
        return template;
    }
}

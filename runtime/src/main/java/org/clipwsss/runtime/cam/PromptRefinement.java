package org.clipwsss.runtime.cam;

import java.util.List;
import org.clipwsss.runtime.clip.Adapters;
import org.clipwsss.runtime.prompts.Templates;

/**
 * Background-prompt refinement (SemPLeS): each CAM is multiplied by the dense CLIP probability that a patch
 * shows the class rather than that class's background prompts (softmax with the logit scale over [class
 * text, its background embeddings]), upsampled to the image, raised to {@code exponent}. Classes without
 * background prompts are left as they are. Each refined map is divided by its maximum again, so the
 * refinement reshapes a map without lowering its peak (and a background threshold keeps its meaning). With
 * trained POLE adapters, the dense features pass the image adapter and the class and background embeddings the
 * text adapter first.
 */
public final class PromptRefinement {
    private final TextEmbeddings text;
    private final String template;
    private final BackgroundPrompts background;
    private final float logitScale;
    private final float exponent;
    private final Adapters adapters;

    /**
     * @param text     class prompt embeddings; with adapters, already through the text adapter
     * @param adapters trained POLE adapters applied to the dense features and the background embeddings (null: none)
     */
    public PromptRefinement(TextEmbeddings text, String template, BackgroundPrompts background, float logitScale,
            float exponent, Adapters adapters) {
        this.adapters = adapters;
        this.text = text;
        this.template = template;
        this.background = background;
        this.logitScale = logitScale;
        this.exponent = exponent;
    }

    public Cams apply(ImageContext image, Cams cams, List<ClassPrompt> classes) {
        float[][] maps = new float[cams.maps().length][];
        for (int k = 0; k < maps.length; k++) {
            ClassPrompt c = classes.get(k);
            float[][] bg = background.embeddings(c.label());
            float[] cam = cams.maps()[k];
            if (bg.length == 0 || exponent == 0) {
                maps[k] = cam.clone();
                continue;
            }
            float[][] texts = new float[1 + bg.length][];
            texts[0] = text.get(Templates.apply(template, c.name()));
            System.arraycopy(bg, 0, texts, 1, bg.length);
            DenseFeatures f = image.dense();
            if (adapters != null) {
                f = f.adapted(adapters);
                for (int t = 1; t < texts.length; t++) {
                    texts[t] = adapters.adaptTextRows(texts[t]);
                }
            }
            float[] r = f.toImage(f.softmax(texts, logitScale, 1)[0]);
            float[] out = new float[cam.length];
            if (exponent == 1) {
                // r^1 = r exactly: no pow per pixel for the default exponent
                for (int i = 0; i < out.length; i++) {
                    out[i] = cam[i] * r[i];
                }
            } else {
                for (int i = 0; i < out.length; i++) {
                    out[i] = cam[i] * (float) Math.pow(r[i], exponent);
                }
            }
            maps[k] = FloatMaps.normalizeMax(FloatMaps.clamp01(out));
        }
        return new Cams(cams.width(), cams.height(), cams.classes(), maps);
    }

    public String description() {
        return "background " + background.description() + ", exponent " + exponent + (adapters == null ? "" : ", with adapters");
    }
}

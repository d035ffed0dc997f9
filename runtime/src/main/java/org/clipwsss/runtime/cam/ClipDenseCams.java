package org.clipwsss.runtime.cam;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.clipwsss.runtime.prompts.Templates;

/**
 * Training-free CAMs from CLIP's dense embeddings (ClearCLIP or MaskCLIP, chosen by the image context's
 * feature extractor): per patch a softmax with the logit scale over [the image's class prompts + the
 * background prompts of those classes]; a class's probability map, upsampled to the image and min-max
 * normalised.
 */
public final class ClipDenseCams implements CamSource {
    private final TextEmbeddings text;
    private final String template;
    private final BackgroundPrompts background;
    private final float logitScale;
    private final String mode;

    public ClipDenseCams(String mode, TextEmbeddings text, String template, BackgroundPrompts background, float logitScale) {
        this.mode = mode;
        this.text = text;
        this.template = template;
        this.background = background;
        this.logitScale = logitScale;
    }

    @Override
    public Cams compute(ImageContext image, List<ClassPrompt> classes) {
        DenseFeatures f = image.dense();
        List<String> prompts = new ArrayList<>();
        for (ClassPrompt c : classes) {
            prompts.add(Templates.apply(template, c.name()));
        }
        List<float[]> texts = new ArrayList<>(List.of(text.get(prompts)));
        Map<float[], Boolean> seen = new IdentityHashMap<>();
        for (ClassPrompt c : classes) {
            for (float[] b : background.embeddings(c.label())) {
                if (seen.put(b, Boolean.TRUE) == null) {
                    texts.add(b);
                }
            }
        }
        float[][][] prob = f.softmax(texts.toArray(new float[0][]), logitScale, classes.size());
        float[][] maps = new float[classes.size()][];
        for (int k = 0; k < maps.length; k++) {
            maps[k] = FloatMaps.normalizeMinMax(f.toImage(prob[k]));
        }
        List<String> labels = classes.stream().map(ClassPrompt::label).toList();
        return new Cams(image.image().width(), image.image().height(), labels, maps);
    }

    @Override
    public boolean usesPromptNames() {
        return true;
    }

    @Override
    public String description() {
        return mode + " (\"" + template + "\", background " + background.description() + ", logit scale " + logitScale + ")";
    }
}

package org.clipwsss.training.gradcam;

import org.clipwsss.runtime.cam.BackgroundPrompts;
import org.clipwsss.runtime.cam.CamSource;
import org.clipwsss.runtime.cam.TextEmbeddings;
import org.clipwsss.runtime.clip.ClipModel;
import org.clipwsss.runtime.pipeline.CamSourceProvider;
import org.clipwsss.runtime.pipeline.PipelineSettings;
import org.clipwsss.runtime.prompts.BackgroundWords;

/**
 * {@code --method clip-es}: {@link ClipEsCams}, CLIP-ES's own method. Its choices are fixed, not the pipeline's:
 * the logit scale is exp(logit_scale) of the weights, the background prompts are CLIP-ES's 25 words in its
 * template; the class prompts use the pipeline's template (CLIP-ES's {@code a clean origami {}.} unless the user
 * set another) and the names the pipeline gives (CLIP-ES's names for VOC classes). The affinity is on unless
 * switched off ({@code --no-affinity}).
 */
public final class ClipEsProvider implements CamSourceProvider {
    @Override
    public String method() {
        return "clip-es";
    }

    @Override
    public CamSource create(ClipModel model, PipelineSettings s, TextEmbeddings text, BackgroundPrompts background) {
        return new ClipEsCams(model, text, s.camTemplate(), BackgroundWords.clipEs().words(""), model.logitScale(),
                s.affinity());
    }
}

package org.clipwsss.training.gradcam;

import org.clipwsss.runtime.cam.BackgroundPrompts;
import org.clipwsss.runtime.cam.CamSource;
import org.clipwsss.runtime.cam.TextEmbeddings;
import org.clipwsss.runtime.clip.ClipModel;
import org.clipwsss.runtime.pipeline.CamSourceProvider;
import org.clipwsss.runtime.pipeline.PipelineSettings;

/**
 * {@code --method gradcam}: {@link GradCamCams} with the pipeline's template, background prompts and windows, and
 * CLIP-ES's attention-affinity refinement when the settings ask for it.
 */
public final class GradCamProvider implements CamSourceProvider {
    @Override
    public String method() {
        return "gradcam";
    }

    @Override
    public CamSource create(ClipModel model, PipelineSettings s, TextEmbeddings text, BackgroundPrompts background) {
        return new GradCamCams(model, text, s.camTemplate(), background, s.logitScale(), s.inputSize(),
                s.windowOverlap(), s.maxWindows(), s.affinity(), s.gridBudget());
    }
}

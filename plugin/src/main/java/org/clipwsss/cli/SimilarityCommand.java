package org.clipwsss.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.clipwsss.runtime.clip.ClipModel;
import org.clipwsss.runtime.clip.Similarity;
import org.clipwsss.runtime.io.NpyArray;
import org.clipwsss.runtime.session.SessionFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "similarity", description = "Embeds an image and texts and prints their CLIP similarity.")
final class SimilarityCommand implements Callable<Integer> {
    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--image", required = true, paramLabel = "IMAGE")
    Path image;

    @Option(names = "--text", required = true, arity = "1..*", paramLabel = "T")
    List<String> texts;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (SessionFactory sessions = modelOptions.sessions(); ClipModel model = modelOptions.open(sessions)) {
            NpyArray img = model.imageEmbeds(Images.pixels(model.folder().preprocessor(), List.of(image)));
            NpyArray txt = model.textEmbeds(texts);
            float[] cos = Similarity.cosine(img, txt)[0];
            float[] prob = Similarity.softmax(cos, model.logitScale());
            out.printf("model %s (source %s, device %s, logit scale %.2f)%n", modelOptions.model, model.source(),
                    sessions.device(), model.logitScale());
            out.printf("image %s%n", image);
            for (int i = 0; i < texts.size(); i++) {
                out.printf("  cosine %+.4f  probability %.4f  \"%s\"%n", cos[i], prob[i], texts.get(i));
            }
        }
        out.flush();
        return 0;
    }
}

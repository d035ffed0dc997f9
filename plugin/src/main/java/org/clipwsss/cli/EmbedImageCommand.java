package org.clipwsss.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.clipwsss.runtime.ClipWsssException;
import org.clipwsss.runtime.clip.ClipModel;
import org.clipwsss.runtime.io.Npy;
import org.clipwsss.runtime.io.NpyArray;
import org.clipwsss.runtime.session.SessionFactory;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "embed-image", description = "Image embeddings [N,E], or dense patch embeddings [N,P,E] with --dense.")
final class EmbedImageCommand implements Callable<Integer> {
    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--dense", paramLabel = "maskclip|clearclip", description = "Training-free dense embeddings.")
    String dense;

    @Option(names = "--out", required = true, paramLabel = "OUT.npy")
    Path out;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Input input;

    static final class Input {
        @Option(names = "--pixels", paramLabel = "X.npy", description = "Preprocessed pixels [N,3,S,S] float32.")
        Path pixels;

        @Parameters(arity = "1..*", paramLabel = "IMAGE")
        List<Path> images;
    }

    @Override
    public Integer call() {
        try (SessionFactory sessions = modelOptions.sessions(); ClipModel model = modelOptions.open(sessions)) {
            NpyArray px = input.pixels != null ? Npy.read(input.pixels)
                    : Images.pixels(model.folder().preprocessor(), input.images);
            if (input.pixels != null && px.dtype() != NpyArray.DType.FLOAT32) {
                throw ClipWsssException.file(input.pixels, "pixels must be float32, not " + px.dtype());
            }
            NpyArray result = dense == null ? model.imageEmbeds(px)
                    : model.denseEmbeds(px, ClipModel.Dense.parse(dense));
            Npy.write(out, result);
        }
        return 0;
    }
}

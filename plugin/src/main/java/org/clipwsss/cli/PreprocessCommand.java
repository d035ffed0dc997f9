package org.clipwsss.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.clipwsss.runtime.clip.ModelFolder;
import org.clipwsss.runtime.io.Npy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "preprocess", description = "CLIP preprocessing of images into a [N,3,S,S] float32 .npy.")
final class PreprocessCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Model folder (its preprocessor_config.json).")
    Path model;

    @Option(names = "--out", required = true, paramLabel = "OUT.npy")
    Path out;

    @Parameters(arity = "1..*", paramLabel = "IMAGE")
    List<Path> images;

    @Override
    public Integer call() {
        Npy.write(out, Images.pixels(ModelFolder.open(model, "auto").preprocessor(), images));
        return 0;
    }
}

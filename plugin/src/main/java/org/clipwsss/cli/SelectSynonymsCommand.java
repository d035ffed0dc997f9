package org.clipwsss.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.clipwsss.runtime.ClipWsssException;
import org.clipwsss.runtime.cam.Cams;
import org.clipwsss.runtime.cam.TextEmbeddings;
import org.clipwsss.runtime.clip.ClipModel;
import org.clipwsss.runtime.image.ImageFiles;
import org.clipwsss.runtime.image.Raster8;
import org.clipwsss.runtime.io.AtomicFiles;
import org.clipwsss.runtime.io.Npy;
import org.clipwsss.runtime.io.NpyArray;
import org.clipwsss.runtime.select.SynonymScores;
import org.clipwsss.runtime.select.SynonymSelector;
import org.clipwsss.runtime.session.SessionFactory;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "select-synonyms", description = "POLE: scores candidate names for a class on a CAM-masked image.")
final class SelectSynonymsCommand implements Callable<Integer> {
    @Mixin
    ModelOptions modelOptions;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    static final class Source {
        @ArgGroup(exclusive = false)
        ImageAndCam image;

        @ArgGroup(exclusive = false)
        PixelsAndMask pixels;
    }

    static final class ImageAndCam {
        @Option(names = "--image", required = true, paramLabel = "FILE")
        Path image;

        @Option(names = "--cam", required = true, paramLabel = "CAM.npy", description = "The class's map [H,W] or [1,H,W] at the image's size.")
        Path cam;
    }

    static final class PixelsAndMask {
        @Option(names = "--pixels", required = true, paramLabel = "X.npy", description = "Model input [1,3,S,S].")
        Path pixels;

        @Option(names = "--mask", required = true, paramLabel = "M.npy", description = "Mask at model input [1,1,S,S].")
        Path mask;
    }

    @Option(names = "--candidates", required = true, paramLabel = "\"a;b;c\"")
    String candidates;

    @Option(names = "--template", defaultValue = "a photo of {}.", paramLabel = "T")
    String template;

    @Option(names = "--logit-scale", defaultValue = "100", paramLabel = "S")
    float logitScale;

    @Option(names = "--out", required = true, paramLabel = "OUT.json")
    Path out;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        List<String> cands = SegmentCommand.splitLabels(candidates);
        if (cands.isEmpty()) {
            throw new ClipWsssException("--candidates needs at least one name");
        }
        SynonymScores s;
        try (SessionFactory sessions = modelOptions.sessions(); ClipModel model = modelOptions.open(sessions)) {
            SynonymSelector selector = new SynonymSelector(model, model.folder().preprocessor(), TextEmbeddings.of(model),
                    template, logitScale);
            if (source.image != null) {
                Raster8 image = ImageFiles.read(source.image.image);
                NpyArray cam = Npy.read(source.image.cam);
                long[] sh = cam.shape();
                boolean rankOk = sh.length == 2 || (sh.length == 3 && sh[0] == 1);
                long h = rankOk ? sh[sh.length - 2] : -1;
                long w = rankOk ? sh[sh.length - 1] : -1;
                if (cam.dtype() != NpyArray.DType.FLOAT32 || !rankOk || w != image.width() || h != image.height()) {
                    throw ClipWsssException.file(source.image.cam, "the CAM must be float32 [H,W] or [1,H,W] at the image's"
                            + " size " + image.width() + "x" + image.height() + " (H=" + image.height() + ", W="
                            + image.width() + "), but it is " + cam.dtype() + " " + java.util.Arrays.toString(sh)
                            + (sh.length < 2 ? " (a " + sh.length + "-d array)" : ""));
                }
                s = selector.select(image, new Cams((int) w, (int) h, List.of("class"), new float[][] {cam.floats()}), List.of(cands)).get(0);
            } else {
                int side = model.config().vision().imageSize();
                NpyArray px = Npy.read(source.pixels.pixels).requireShape(source.pixels.pixels, "pixels", 1, 3, side, side);
                NpyArray m = Npy.read(source.pixels.mask).requireShape(source.pixels.mask, "mask", 1, 1, side, side);
                s = selector.select(px.floats(), new float[][] {m.floats()}, List.of("class"), List.of(cands)).get(0);
            }
        }
        ObjectMapper json = new ObjectMapper();
        ObjectNode o = json.createObjectNode();
        o.set("candidates", json.valueToTree(s.candidates()));
        o.set("cosine", json.valueToTree(s.cosine()));
        o.set("probability", json.valueToTree(s.probability()));
        o.put("selected", s.selected());
        AtomicFiles.writeString(out, json.writerWithDefaultPrettyPrinter().writeValueAsString(o) + "\n");
        spec.commandLine().getOut().println("selected \"" + s.selected() + "\" (probability "
                + String.format("%.4f", s.selectedProbability()) + "); wrote " + out);
        return 0;
    }
}

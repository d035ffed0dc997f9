package org.clipwsss.training.gradcam;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.clipwsss.runtime.ClipWsssException;
import org.clipwsss.runtime.clip.ClipModel;
import org.clipwsss.runtime.clip.SafetensorsWeights;
import org.clipwsss.runtime.graph.ElemType;
import org.clipwsss.runtime.graph.Graph;
import org.clipwsss.runtime.graph.GraphBuilder;
import org.clipwsss.runtime.graph.OnnxWriter;
import org.clipwsss.runtime.io.SafetensorsFile;
import org.clipwsss.runtime.model.ClipConfig;
import org.clipwsss.runtime.model.ClipGraphs;
import org.clipwsss.runtime.session.GraphRunner;
import org.clipwsss.training.autodiff.Losses;

/**
 * The graphs the Grad-CAM sources build over a model's weights, written to a given folder or a temporary one, one
 * session each; and the pieces both sources share.
 */
final class GraphFiles {
    @FunctionalInterface
    interface Builder {
        Graph build(SafetensorsWeights weights);
    }

    private final ClipModel model;
    private final Path workDir;
    private Path tempDir;
    private final Map<String, GraphRunner> runners = new java.util.HashMap<>();

    /** @param workDir where the built graphs are written (null: a temporary folder removed at exit) */
    GraphFiles(ClipModel model, Path workDir) {
        this.model = model;
        this.workDir = workDir;
    }

    /** Builds a graph over the model's weights and writes it as {@code name.onnx}. */
    Path write(String name, Builder builder) {
        Path file = dir().resolve(name + ".onnx");
        try (SafetensorsFile st = SafetensorsFile.open(model.folder().safetensors())) {
            OnnxWriter.write(builder.build(new SafetensorsWeights(st)), file,
                    Map.of("clipwsss.source", model.folder().dir().toString(), "clipwsss.graph", name));
        } catch (IOException ex) {
            throw ClipWsssException.file(file, "cannot write the Grad-CAM graph (" + ex.getMessage() + ")", ex);
        }
        if (workDir == null) {
            file.toFile().deleteOnExit();
        }
        return file;
    }

    /** A session on the graph {@code name}, built and written the first time it is asked for. */
    synchronized GraphRunner runner(String name, Builder builder) {
        GraphRunner r = runners.get(name);
        if (r == null) {
            r = new GraphRunner(model.sessions(), write(name, builder));
            runners.put(name, r);
        }
        return r;
    }

    /**
     * The vision trunk on any whole-image grid ({@link ClipGraphs#visionGridTrunk}): pixels [B,3,H,W] and
     * position_embeddings [1+N,W] -> hidden (entering the last layer), ln1 (its layer_norm1), attention (averaged
     * over heads and the last {@code attentionLayers} layers, patch tokens only).
     */
    GraphRunner gridTrunk(int attentionLayers) {
        ClipConfig cfg = model.config();
        ClipConfig.Tower v = cfg.vision();
        return runner("grid_trunk", weights -> {
            GraphBuilder g = new GraphBuilder("grid_trunk");
            String pixels = g.input("pixel_values", ElemType.FLOAT, "batch", 3, "height", "width");
            String pos = g.input("position_embeddings", ElemType.FLOAT, "tokens", v.hiddenSize());
            String[] out = ClipGraphs.visionGridTrunk(g, cfg, weights, pixels, pos, Math.max(0, v.layers() - attentionLayers));
            g.output(out[0], "hidden", ElemType.FLOAT, "batch", "tokens", v.hiddenSize());
            g.output(out[1], "ln1", ElemType.FLOAT, "batch", "tokens", v.hiddenSize());
            g.output(out[2], "attention", ElemType.FLOAT, "batch", "patches", "patches");
            g.output(transition(g, out[2]), "transition", ElemType.FLOAT, "batch", "patches", "patches");
            return g.build();
        });
    }

    /**
     * CLIP-ES's class-independent transition matrix in the graph, so the n x n product runs in ONNX Runtime's
     * matrix kernels ({@link AttentionAffinity#transition} is the same in plain Java): the attention [B,N,N] divided by
     * its column sums, then by its row sums, three times; (T + T^T) / 2; T T.
     */
    static String transition(GraphBuilder g, String attention) {
        g.scope("vision.transition");
        String columns = g.constantLongs("axis_columns", 1);
        String rows = g.constantLongs("axis_rows", 2);
        String t = attention;
        for (int round = 0; round < 3; round++) {
            t = g.div(t, g.op("ReduceSum", List.of(t, columns), Map.of("keepdims", 1L)));
            t = g.div(t, g.op("ReduceSum", List.of(t, rows), Map.of("keepdims", 1L)));
        }
        String symmetric = g.mul(g.add(t, g.transpose(t, 0, 2, 1)), g.constant("half", 0.5f));
        return g.matMul(symmetric, symmetric);
    }

    /**
     * The Grad-CAM target of both Grad-CAM sources, on the unit-length image embeddings [R,E]: {@code probabilities}
     * = softmax(scale * embeds texts^T) over the texts [T,E] ({@code text}), and {@code score} = the sum over the
     * rows of the probability {@code target} [R,T] (one-hot) picks; returns the graph's {@code text} and
     * {@code target} inputs' shapes for the gradient derivation.
     */
    static Map<String, long[]> softmaxScore(GraphBuilder g, String embeds, float logitScale, int rows, int texts, int dim) {
        String text = g.input("text", ElemType.FLOAT, texts, dim);
        String target = g.input("target", ElemType.FLOAT, rows, texts);
        String logits = g.mul(g.matMul(embeds, g.transpose(text, 1, 0)), g.constant("logit_scale", logitScale));
        String probs = g.softmax(logits, -1);
        g.output(probs, "probabilities", ElemType.FLOAT, rows, texts);
        g.output(Losses.dot(g, probs, target), "score", ElemType.FLOAT);
        return Map.of("text", new long[] {texts, dim}, "target", new long[] {rows, texts});
    }

    private synchronized Path dir() {
        if (workDir != null) {
            try {
                return Files.createDirectories(workDir);
            } catch (IOException ex) {
                throw ClipWsssException.file(workDir, "cannot create the folder (" + ex.getMessage() + ")", ex);
            }
        }
        if (tempDir == null) {
            try {
                tempDir = Files.createTempDirectory("clip-wsss-gradcam");
            } catch (IOException ex) {
                throw new ClipWsssException("cannot create a temporary folder for the Grad-CAM graphs (" + ex.getMessage() + ")", ex);
            }
            tempDir.toFile().deleteOnExit();
        }
        return tempDir;
    }
}

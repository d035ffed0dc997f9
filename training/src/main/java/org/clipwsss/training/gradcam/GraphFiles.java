package org.clipwsss.training.gradcam;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.clipwsss.runtime.ClipWsssException;
import org.clipwsss.runtime.clip.ClipModel;
import org.clipwsss.runtime.clip.SafetensorsWeights;
import org.clipwsss.runtime.graph.Graph;
import org.clipwsss.runtime.graph.OnnxWriter;
import org.clipwsss.runtime.io.SafetensorsFile;

/** Where the Grad-CAM sources write the graphs they build over a model's weights: a given folder, or a temporary one. */
final class GraphFiles {
    @FunctionalInterface
    interface Builder {
        Graph build(SafetensorsWeights weights);
    }

    private final ClipModel model;
    private final Path workDir;
    private Path tempDir;

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

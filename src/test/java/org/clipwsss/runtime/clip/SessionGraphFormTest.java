package org.clipwsss.runtime.clip;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Path;
import org.clipwsss.Fixtures;
import org.clipwsss.runtime.model.ClipGraphs;
import org.clipwsss.runtime.session.Device;
import org.clipwsss.runtime.session.SessionFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The graphs cached for this project's sessions have their layer norms in two passes of plain operators
 * ({@link org.clipwsss.runtime.graph.LayerNorms}); exported graphs keep the LayerNormalization operator.
 */
class SessionGraphFormTest {
    @TempDir
    Path dir;

    @Test
    void cachedGraphsWriteLayerNormsOutExportsKeepTheOperator() throws IOException {
        int layers = ModelFolder.open(Fixtures.CLIP_TINY, "auto").config().vision().layers();
        try (SessionFactory sessions = new SessionFactory(Device.CPU, 1);
                ClipModel model = ClipModel.open(Fixtures.CLIP_TINY, ClipModel.Options.defaults().withSource(GraphSource.SAFETENSORS)
                        .withSessions(sessions).withCacheRoot(dir.resolve("cache")))) {
            QuantizedGraphsTest.OnnxSummary cached = QuantizedGraphsTest.OnnxSummary.read(model.graphFile(ClipGraphs.Kind.VISION));
            assertEquals(0, cached.count("LayerNormalization"), cached.ops().toString());
            // per layer norm: the mean and the variance; pre_layrnorm, two per layer, post_layernorm
            assertEquals(2 * (2L * layers + 2), cached.count("ReduceMean"));
            assertEquals(2L * layers + 2, cached.count("Sqrt"));
        }
        ModelExport.export(ModelFolder.open(Fixtures.CLIP_TINY, "auto"), dir.resolve("export"));
        QuantizedGraphsTest.OnnxSummary exported = QuantizedGraphsTest.OnnxSummary.read(
                dir.resolve("export/onnx").resolve(ClipGraphs.Kind.VISION.fileName()));
        assertEquals(2L * layers + 2, exported.count("LayerNormalization"));
        assertEquals(0, exported.count("Sqrt"));
    }
}

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
 * The graphs cached for this project's sessions carry ONNX Runtime's SkipLayerNormalization at every residual sum
 * ({@link org.clipwsss.runtime.graph.SkipLayerNorms}); exported graphs stay in ONNX's default domain.
 */
class SessionGraphFormTest {
    @TempDir
    Path dir;

    @Test
    void cachedGraphsFuseResidualLayerNormsExportsDoNot() throws IOException {
        int layers = ModelFolder.open(Fixtures.CLIP_TINY, "auto").config().vision().layers();
        try (SessionFactory sessions = new SessionFactory(Device.CPU, 1);
                ClipModel model = ClipModel.open(Fixtures.CLIP_TINY, ClipModel.Options.defaults().withSource(GraphSource.SAFETENSORS)
                        .withSessions(sessions).withCacheRoot(dir.resolve("cache")))) {
            QuantizedGraphsTest.OnnxSummary cached = QuantizedGraphsTest.OnnxSummary.read(model.graphFile(ClipGraphs.Kind.VISION));
            // layer_norm2 of every layer and layer_norm1 of all but the first read a residual sum; pre_layrnorm (class
            // token + patches + positions), the first layer_norm1 and post_layernorm (the class token) do not
            assertEquals(2L * layers - 1, cached.count("SkipLayerNormalization"), cached.ops().toString());
            assertEquals(3, cached.count("LayerNormalization"));
        }
        ModelExport.export(ModelFolder.open(Fixtures.CLIP_TINY, "auto"), dir.resolve("export"));
        QuantizedGraphsTest.OnnxSummary exported = QuantizedGraphsTest.OnnxSummary.read(
                dir.resolve("export/onnx").resolve(ClipGraphs.Kind.VISION.fileName()));
        assertEquals(0, exported.count("SkipLayerNormalization"));
        assertEquals(2L * layers + 2, exported.count("LayerNormalization"));
    }
}

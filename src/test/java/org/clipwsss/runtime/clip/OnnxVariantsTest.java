package org.clipwsss.runtime.clip;

import static org.clipwsss.Fixtures.assertClose;
import static org.clipwsss.Fixtures.reference;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.clipwsss.Fixtures;
import org.clipwsss.runtime.ClipWsssException;
import org.clipwsss.runtime.session.Device;
import org.clipwsss.runtime.session.SessionFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** transformers.js-style folders that only have *_quantized.onnx / *_fp16.onnx files. */
class OnnxVariantsTest {
    @TempDir
    Path tmp;

    private Path folderWith(String suffix) throws Exception {
        Path dir = tmp.resolve("m" + suffix);
        Files.createDirectories(dir.resolve("onnx"));
        for (String f : new String[] {"config.json", "preprocessor_config.json"}) {
            Files.copy(Fixtures.CLIP_TINY.resolve(f), dir.resolve(f));
        }
        for (String t : new String[] {"vision_model", "text_model"}) {
            Files.copy(Fixtures.CLIP_TINY.resolve("onnx/" + t + ".onnx"), dir.resolve("onnx/" + t + suffix + ".onnx"));
        }
        return dir;
    }

    @Test
    void autoFindsAVariantWhenThePlainExportIsMissing() throws Exception {
        Path dir = folderWith("_quantized");
        ModelFolder folder = ModelFolder.open(dir, "auto");
        assertEquals("vision_model_quantized.onnx", folder.visionOnnx().getFileName().toString());
        try (SessionFactory f = new SessionFactory(Device.CPU, 1);
                ClipModel m = ClipModel.open(dir, ClipModel.Options.defaults().withSessions(f))) {
            assertEquals(GraphSource.ONNX, m.source());
            assertClose(reference("clip-tiny", "image_embeds"), m.imageEmbeds(reference("clip-tiny", "pixel_values")),
                    1e-4, "quantized-named export");
        }
    }

    @Test
    void explicitVariantMustExist() throws Exception {
        Path dir = folderWith("_fp16");
        assertEquals("text_model_fp16.onnx", ModelFolder.open(dir, "fp16").textOnnx().getFileName().toString());
        ClipWsssException e = assertThrows(ClipWsssException.class, () -> ModelFolder.open(dir, "quantized"));
        assertTrue(e.getMessage().contains("no model weights"), e.getMessage());
        e = assertThrows(ClipWsssException.class, () -> ModelFolder.open(dir, "int3"));
        assertTrue(e.getMessage().contains("unknown ONNX variant"), e.getMessage());
    }
}

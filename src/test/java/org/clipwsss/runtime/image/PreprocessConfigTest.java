package org.clipwsss.runtime.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.clipwsss.runtime.ClipWsssException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PreprocessConfigTest {
    @TempDir
    Path tmp;

    @Test
    void loadsTheBundledModelsConfig() {
        PreprocessConfig config = PreprocessConfig.load(Path.of("src/test/resources/conformance/clip-odd/preprocessor_config.json"));
        assertEquals(160, config.shortestEdge());
        assertEquals(160, config.cropSize());
        assertEquals(ResampleFilter.BICUBIC, config.resample());
        assertEquals(1 / 255.0, config.rescaleFactor(), 1e-15);
        assertArrayEquals(new double[] {0.26862954, 0.26130258, 0.27577711}, config.imageStd());
        assertTrue(config.doResize() && config.doCenterCrop() && config.doRescale() && config.doNormalize()
                && config.doConvertRgb());
    }

    @Test
    void defaultsAreClipImageProcessors() {
        PreprocessConfig config = PreprocessConfig.parse("{}");
        assertEquals(224, config.shortestEdge());
        assertEquals(224, config.cropHeight());
        assertEquals(224, config.cropWidth());
        assertEquals(ResampleFilter.BICUBIC, config.resample());
        assertArrayEquals(new double[] {0.48145466, 0.4578275, 0.40821073}, config.imageMean());
        assertEquals(config.toString(), PreprocessConfig.defaults().toString());
    }

    @Test
    void acceptsTheOtherSizeForms() {
        PreprocessConfig config = PreprocessConfig.parse("{\"size\": 336, \"crop_size\": 336, \"resample\": 2,"
                + " \"image_mean\": 0.5, \"image_std\": [0.5, 0.25, 1], \"do_center_crop\": false}");
        assertEquals(336, config.shortestEdge());
        assertEquals(336, config.cropSize());
        assertEquals(ResampleFilter.BILINEAR, config.resample());
        assertArrayEquals(new double[] {0.5, 0.5, 0.5}, config.imageMean());
        assertArrayEquals(new double[] {0.5, 0.25, 1}, config.imageStd());
        assertFalse(config.doCenterCrop());

        PreprocessConfig exact = PreprocessConfig.parse("{\"size\": {\"height\": 100, \"width\": 120},"
                + " \"crop_size\": {\"height\": 90, \"width\": 80}}");
        assertEquals(0, exact.shortestEdge());
        assertEquals(100, exact.resizeHeight());
        assertEquals(120, exact.resizeWidth());
        assertEquals(90, exact.cropHeight());
        assertEquals(80, exact.cropWidth());
        assertThrows(IllegalStateException.class, exact::cropSize);
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"resample\": 0}", "{\"resample\": \"bicubic\"}", "{\"size\": {\"longest_edge\": 3}}",
        "{\"size\": -1}", "{\"crop_size\": [224, 224]}", "{\"do_resize\": \"yes\"}", "{\"image_mean\": [1, 2]}",
        "{\"image_std\": [1, 0, 1]}", "{\"rescale_factor\": \"x\"}", "[1]", "{"})
    void rejectsBadFields(String json) {
        assertThrows(IllegalArgumentException.class, () -> PreprocessConfig.parse(json));
    }

    @Test
    void malformedFileIsAClipWsssExceptionNamingIt() throws IOException {
        Path bad = Files.writeString(tmp.resolve("preprocessor_config.json"), "{\"resample\": 5}");
        ClipWsssException e = assertThrows(ClipWsssException.class, () -> PreprocessConfig.load(bad));
        assertTrue(e.getMessage().startsWith(bad + ": "), e.getMessage());
        assertTrue(e.getMessage().contains("resample 5"), e.getMessage());

        Path broken = Files.writeString(tmp.resolve("broken.json"), "{\"size\": ");
        e = assertThrows(ClipWsssException.class, () -> PreprocessConfig.load(broken));
        assertTrue(e.getMessage().contains("broken.json"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void missingFileIsAClipWsssExceptionNamingIt() {
        Path missing = tmp.resolve("nowhere.json");
        ClipWsssException e = assertThrows(ClipWsssException.class, () -> PreprocessConfig.load(missing));
        assertEquals(missing + ": file not found", e.getMessage());
    }
}

package org.clipwsss.runtime.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Our preprocessing against OpenAI CLIP's (PIL + torchvision) tensors in conformance/preprocess. */
class PreprocessGoldenTest {
    private static final Path DIR = Path.of("src/test/resources/conformance/preprocess");
    private static final double MAX_ABS = 0.02;
    private static final double MEAN_ABS = 0.002;

    static Stream<String> images() throws IOException {
        return StreamSupport.stream(index().get("images").spliterator(), false).map(n -> n.get("image").asText());
    }

    private static JsonNode index() throws IOException {
        return new ObjectMapper().readTree(DIR.resolve("reference/index.json").toFile());
    }

    @Test
    void defaultConfigIsTheOneTheReferenceUsed() throws IOException {
        JsonNode index = index();
        PreprocessConfig config = PreprocessConfig.defaults();
        assertEquals(index.get("size").asInt(), config.cropSize());
        assertEquals(index.get("size").asInt(), config.shortestEdge());
        for (int c = 0; c < 3; c++) {
            assertEquals(index.get("mean").get(c).asDouble(), config.imageMean()[c]);
            assertEquals(index.get("std").get(c).asDouble(), config.imageStd()[c]);
        }
    }

    @ParameterizedTest
    @MethodSource("images")
    void matchesReference(String image) throws IOException {
        float[] expected = readNpy(DIR.resolve("reference/" + image + ".npy"), "1, 3, 224, 224");
        float[] actual = new ClipPreprocessor(PreprocessConfig.defaults()).preprocess(ImageFiles.read(DIR.resolve("images/" + image)));
        assertEquals(expected.length, actual.length);
        double max = 0;
        double sum = 0;
        for (int i = 0; i < expected.length; i++) {
            double d = Math.abs(expected[i] - actual[i]);
            max = Math.max(max, d);
            sum += d;
        }
        double mean = sum / expected.length;
        System.out.printf("preprocess golden %-18s max |diff| %.3e  mean |diff| %.3e%n", image, max, mean);
        assertTrue(max <= MAX_ABS, image + ": max |diff| " + max);
        assertTrue(mean <= MEAN_ABS, image + ": mean |diff| " + mean);
    }

    @Test
    void batchIsTheImagesOneAfterAnother() throws IOException {
        ClipPreprocessor p = new ClipPreprocessor(PreprocessConfig.defaults());
        Raster8 a = ImageFiles.read(DIR.resolve("images/tiny_100x70.png"));
        Raster8 b = ImageFiles.read(DIR.resolve("images/gray_300x180.png"));
        float[] batch = p.preprocess(List.of(a, b));
        int per = 3 * 224 * 224;
        assertEquals(2 * per, batch.length);
        float[] second = new float[per];
        System.arraycopy(batch, per, second, 0, per);
        assertArrayEquals(p.preprocess(b), second);
    }

    /** Minimal .npy reader: little-endian float32, C order, the given shape (as numpy prints it). */
    private static float[] readNpy(Path file, String shape) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals("\u0093NUMPY", new String(bytes, 0, 6, StandardCharsets.ISO_8859_1));
        int major = bytes[6];
        int headerLen = major == 1 ? buf.getShort(8) & 0xffff : buf.getInt(8);
        int dataStart = (major == 1 ? 10 : 12) + headerLen;
        String header = new String(bytes, major == 1 ? 10 : 12, headerLen, StandardCharsets.ISO_8859_1);
        assertTrue(header.contains("'descr': '<f4'") && header.contains("'fortran_order': False"), header);
        assertTrue(header.contains("'shape': (" + shape + ")"), header);
        float[] out = new float[(bytes.length - dataStart) / 4];
        buf.position(dataStart);
        buf.asFloatBuffer().get(out);
        return out;
    }
}

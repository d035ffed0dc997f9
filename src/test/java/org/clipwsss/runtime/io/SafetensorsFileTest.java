package org.clipwsss.runtime.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.clipwsss.runtime.ClipWsssException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsFileTest {
    private static final Path MODEL = Path.of("onnx-models/clip-tiny/model.safetensors");
    private static final String PATCH = "vision_model.embeddings.patch_embedding.weight";

    @TempDir
    Path dir;

    @Test
    void readsTheBundledModel() {
        try (SafetensorsFile model = SafetensorsFile.open(MODEL)) {
            assertEquals(MODEL, model.path());
            assertEquals(78, model.names().size());
            assertEquals(List.of("logit_scale", "text_model.embeddings.position_embedding.weight",
                    "text_model.embeddings.token_embedding.weight"), model.names().stream().limit(3).toList());
            assertEquals(Map.of("format", "pt", "seed", "0"), model.metadata());
            assertTrue(model.contains(PATCH));
            assertFalse(model.contains("nope"));
            assertArrayEquals(new long[] {48, 3, 32, 32}, model.shape(PATCH));
            assertArrayEquals(new long[] {49408, 32}, model.shape("text_model.embeddings.token_embedding.weight"));
            assertEquals("F32", model.dtype(PATCH));

            // expected values from numpy reading the same bytes (np.frombuffer(..., '<f4').reshape(48, 3, 32, 32)):
            // w.flat[0], w.flat[1], w[10, 1, 5, 7], w.flat[-1], w.astype(np.float64).sum()
            float[] w = model.readFloats(PATCH);
            assertEquals(48 * 3 * 32 * 32, w.length);
            assertEquals(-0.013461798f, w[0]);
            assertEquals(0.017456625f, w[1]);
            assertEquals(-0.023335647f, w[((10 * 3 + 1) * 32 + 5) * 32 + 7]);
            assertEquals(-0.032309745f, w[w.length - 1]);
            double sum = 0;
            for (float f : w) {
                sum += f;
            }
            assertEquals(-7.212963451862095, sum, 1e-9);
            assertArrayEquals(new float[] {2.65926f}, model.readFloats("logit_scale"));

            NpyArray array = model.readArray(PATCH);
            assertArrayEquals(new long[] {48, 3, 32, 32}, array.shape());
            assertArrayEquals(w, array.floats());
        }
    }

    @Test
    void unknownTensorNameListsExamples() {
        try (SafetensorsFile model = SafetensorsFile.open(MODEL)) {
            ClipWsssException e = assertThrows(ClipWsssException.class, () -> model.readFloats("x"));
            assertEquals(MODEL + ": no tensor named 'x' (has 78 tensors, e.g. 'logit_scale', "
                    + "'text_model.embeddings.position_embedding.weight', 'text_model.embeddings.token_embedding.weight')",
                    e.getMessage());
            assertThrows(ClipWsssException.class, () -> model.shape("x"));
            assertThrows(ClipWsssException.class, () -> model.dtype("x"));
        }
    }

    @Test
    void convertsF16AndBf16Exactly() throws IOException {
        short[] f16 = {0x0000, (short) 0x8000, 0x3c00, (short) 0xc000, 0x7bff, 0x0001, 0x03ff, 0x0400,
            0x7c00, (short) 0xfc00, 0x7e00, 0x3555};
        short[] bf16 = {0x3f80, (short) 0xc040, 0x0001, 0x7f80, (short) 0xff80, 0x7fc0, (short) 0x8000, 0x4049};
        Path file = write("{\"h\":{\"dtype\":\"F16\",\"shape\":[3,4],\"data_offsets\":[0,24]},"
                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[8],\"data_offsets\":[24,40]}}", shorts(f16), shorts(bf16));
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            float[] h = st.readFloats("h");
            assertArrayEquals(new float[] {0f, -0f, 1f, -2f, 65504f, 0x1p-24f, 1023 * 0x1p-24f, 0x1p-14f,
                Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, 0.333251953125f}, h);
            assertEquals(0x80000000, Float.floatToRawIntBits(h[1]), "-0 keeps its sign");
            float[] b = st.readFloats("b");
            assertArrayEquals(new float[] {1f, -3f, Float.intBitsToFloat(0x00010000), Float.POSITIVE_INFINITY,
                Float.NEGATIVE_INFINITY, Float.NaN, -0f, 3.140625f}, b);
            assertEquals(0x80000000, Float.floatToRawIntBits(b[6]));
            assertArrayEquals(new long[] {3, 4}, st.readArray("h").shape());
        }
    }

    @Test
    void otherDtypesMayBePresentButNotReadAsFloats() throws IOException {
        Path file = write("{\"ids\":{\"dtype\":\"I64\",\"shape\":[1,3],\"data_offsets\":[0,24]},"
                + "\"u\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[24,26]},"
                + "\"d\":{\"dtype\":\"F64\",\"shape\":[],\"data_offsets\":[32,40]}}",
                longs(0, 1, -2), new byte[] {7, 8, 0, 0, 0, 0, 0, 0}, longs(0));
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            assertEquals("I64", st.dtype("ids"));
            assertArrayEquals(new long[0], st.shape("d"));
            assertEquals(NpyArray.ofLongs(new long[] {0, 1, -2}, 1, 3), st.readArray("ids"));
            ClipWsssException e = assertThrows(ClipWsssException.class, () -> st.readFloats("ids"));
            assertEquals(file + ": tensor 'ids' has dtype I64, which cannot be read as floats (F32, F16, BF16 can)",
                    e.getMessage());
            e = assertThrows(ClipWsssException.class, () -> st.readArray("u"));
            assertEquals(file + ": tensor 'u' has dtype U8, which is not supported (F32, F16, BF16, I64, I32 are)",
                    e.getMessage());
            assertThrows(ClipWsssException.class, () -> st.readFloats("d"));
        }
    }

    @Test
    void emptyAndZeroSizedTensors() throws IOException {
        try (SafetensorsFile st = SafetensorsFile.open(write("{}"))) {
            assertTrue(st.names().isEmpty());
            assertEquals(Map.of(), st.metadata());
            assertEquals(st.path() + ": no tensor named 'a' (has 0 tensors)",
                    assertThrows(ClipWsssException.class, () -> st.readFloats("a")).getMessage());
        }
        Path file = write("{\"z\":{\"dtype\":\"F32\",\"shape\":[0,3],\"data_offsets\":[4,4]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", floats(1, 2));
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            assertEquals(List.of("a", "z"), List.copyOf(st.names()));
            assertEquals(0, st.readFloats("z").length);
            assertArrayEquals(new float[] {1, 2}, st.readFloats("a"));
        }
    }

    @Test
    void rejectsBadHeaderLengths() throws IOException {
        assertError(new byte[] {1, 2, 3}, "too small to be a safetensors file (3 bytes)");
        assertError(withLength(200_000_000L, "{}"), "header length 200000000 is over the limit of 100000000 bytes");
        assertError(withLength(-1L, "{}"), "header length 18446744073709551615 is over the limit");
        assertError(withLength(3, "{}"), "header length 3 runs past the end of the file (10 bytes)");
    }

    @Test
    void rejectsHeadersThatAreNotAJsonObject() throws IOException {
        assertError(withLength(2, new byte[] {'{', (byte) 0xff}), "header is not valid UTF-8");
        assertError(file("{\"a\":"), "header is not valid JSON");
        assertError(file("[1, 2]"), "header is not a JSON object");
        assertError(file(""), "header is not a JSON object");
        assertError(file("{} {}"), "header is not valid JSON");
        assertError(file("{\"__metadata__\":{}, \"__metadata__\":{}}"), "header is not valid JSON: Duplicate field '__metadata__'");
        assertError(file("{\"__metadata__\":{\"a\":1}}"), "__metadata__ must be a JSON object of strings, not {\"a\":1}");
        assertError(file("{\"__metadata__\":[]}"), "__metadata__ must be a JSON object of strings");
    }

    @Test
    void rejectsBadTensorEntries() throws IOException {
        assertError(file("{\"a\":3}"), "tensor 'a' must be an object with exactly dtype, shape and data_offsets");
        assertError(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}"), "tensor 'a' must be an object with exactly");
        assertError(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"x\":1}}"), "tensor 'a' must be an object");
        assertError(file("{\"a\":{\"dtype\":\"Q9\",\"shape\":[1],\"data_offsets\":[0,4]}}"), "tensor 'a' has unknown dtype \"Q9\"");
        assertError(file("{\"a\":{\"dtype\":4,\"shape\":[1],\"data_offsets\":[0,4]}}"), "tensor 'a' has unknown dtype 4");
        assertError(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}"),
                "tensor 'a' shape must be a list of non-negative integers, not [-1]");
        assertError(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}}"), "tensor 'a' shape must be");
        assertError(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[99999999999999999999],\"data_offsets\":[0,4]}}"), "tensor 'a' shape must be");
        assertError(file("{\"a\":{\"dtype\":\"F32\",\"shape\":1,\"data_offsets\":[0,4]}}"), "tensor 'a' shape must be");
        assertError(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}", new byte[4]),
                "tensor 'a' data_offsets must be a list of 2 non-negative integers, not [0]");
        assertError(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[-4,0]}}", new byte[4]),
                "tensor 'a' data_offsets must be a list of 2");
    }

    @Test
    void rejectsOffsetsOutOfBounds() throws IOException {
        assertError(file("{\"a.b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[10,99999]}}", new byte[12]),
                "tensor 'a.b' data offsets [10, 99999] run past the end of the file (12 data bytes after the 69-byte header)");
        assertError(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,4]}}", new byte[12]),
                "tensor 'a' data offsets [8, 4] end before they begin");
    }

    @Test
    void rejectsTruncatedData() throws IOException {
        Path good = write("{\"a\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]}}", floats(1, 2, 3, 4));
        byte[] bytes = Files.readAllBytes(good);
        assertError(java.util.Arrays.copyOf(bytes, bytes.length - 1),
                "tensor 'a' data offsets [0, 16] run past the end of the file (15 data bytes");
    }

    @Test
    void rejectsSizeMismatchWithShape() throws IOException {
        assertError(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,20]}}", new byte[24]),
                "tensor 'a' of shape [2, 3] and dtype F32 needs 24 bytes but its data offsets [0, 20] span 20");
        assertError(file("{\"a\":{\"dtype\":\"BF16\",\"shape\":[4611686018427387904, 4],\"data_offsets\":[0,8]}}", new byte[8]),
                "tensor 'a' shape [4611686018427387904, 4] is too large");
        assertError(file("{\"a\":{\"dtype\":\"BF16\",\"shape\":[4611686018427387904],\"data_offsets\":[0,8]}}", new byte[8]),
                "tensor 'a' shape [4611686018427387904] is too large");
    }

    @Test
    void rejectsOverlappingTensors() throws IOException {
        assertError(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", new byte[12]),
                "tensors 'a' [0, 8] and 'b' [4, 12] overlap");
        assertError(file("{\"b\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", new byte[16]),
                "tensors 'b' [0, 16] and 'a' [4, 8] overlap");
    }

    @Test
    void missingFileAndClosedFile() throws IOException {
        Path missing = dir.resolve("missing.safetensors");
        ClipWsssException e = assertThrows(ClipWsssException.class, () -> SafetensorsFile.open(missing));
        assertTrue(e.getMessage().startsWith(missing + ": could not open: no such file"), e.getMessage());

        SafetensorsFile st = SafetensorsFile.open(write("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", floats(1)));
        st.close();
        e = assertThrows(ClipWsssException.class, () -> st.readFloats("a"));
        assertEquals(st.path() + ": could not read tensor 'a': the file was already closed", e.getMessage());
    }

    // --- helpers: build safetensors files byte by byte ---

    /** Writes model.safetensors with the header (as is) and the data, and opens nothing. */
    private Path write(String json, byte[]... data) throws IOException {
        Path file = dir.resolve("model.safetensors");
        Files.write(file, file(json, data));
        return file;
    }

    private static byte[] file(String json, byte[]... data) {
        byte[] header = json.getBytes(StandardCharsets.UTF_8);
        return withLength(header.length, header, data);
    }

    private static byte[] withLength(long headerLength, String json) {
        return withLength(headerLength, json.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] withLength(long headerLength, byte[] header, byte[]... data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(headerLength).array());
        out.writeBytes(header);
        for (byte[] d : data) {
            out.writeBytes(d);
        }
        return out.toByteArray();
    }

    /** Writes the bytes to model.safetensors and checks that opening fails naming the file and the problem. */
    private void assertError(byte[] bytes, String problem) throws IOException {
        Path file = dir.resolve("model.safetensors");
        Files.write(file, bytes);
        ClipWsssException e = assertThrows(ClipWsssException.class, () -> SafetensorsFile.open(file).close());
        assertTrue(e.getMessage().startsWith(file + ": " + problem), e.getMessage());
    }

    private static byte[] shorts(short... values) {
        ByteBuffer b = ByteBuffer.allocate(2 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asShortBuffer().put(values);
        return b.array();
    }

    private static byte[] longs(long... values) {
        ByteBuffer b = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(values);
        return b.array();
    }

    private static byte[] floats(float... values) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return b.array();
    }
}

package org.clipwsss.runtime.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.clipwsss.runtime.ClipWsssException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsWriterTest {
    @TempDir
    Path dir;

    @Test
    void roundTrip() {
        Map<String, NpyArray> tensors = new LinkedHashMap<>();
        tensors.put("w", NpyArray.ofFloats(new float[] {1.5f, -0f, Float.NaN, 3e38f, Float.MIN_VALUE, -2}, 2, 3));
        tensors.put("scalar", NpyArray.ofFloats(new float[] {0.25f}));
        tensors.put("empty", NpyArray.ofFloats(new float[0], 0, 5));
        tensors.put("step", NpyArray.ofLongs(new long[] {Long.MAX_VALUE, -1}, 2));
        tensors.put("idx", NpyArray.ofInts(new int[] {7, Integer.MIN_VALUE, 9}, 3, 1));
        float[] big = new float[70_001];
        for (int i = 0; i < big.length; i++) {
            big[i] = i * 0.001f;
        }
        tensors.put("big", NpyArray.ofFloats(big, big.length));
        Path file = dir.resolve("ckpt.safetensors");

        SafetensorsWriter.write(file, tensors, Map.of("step", "12", "format", "pt"));

        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            assertEquals(List.of("big", "empty", "idx", "scalar", "step", "w"), List.copyOf(st.names()));
            assertEquals(Map.of("step", "12", "format", "pt"), st.metadata());
            assertEquals("F32", st.dtype("w"));
            assertEquals("I64", st.dtype("step"));
            assertEquals("I32", st.dtype("idx"));
            for (Map.Entry<String, NpyArray> e : tensors.entrySet()) {
                assertEquals(e.getValue(), st.readArray(e.getKey()), e.getKey());
            }
        }
    }

    @Test
    void layoutMatchesTheReferenceImplementation() throws IOException {
        Path file = dir.resolve("a.safetensors");
        SafetensorsWriter.write(file, Map.of(
                "b", NpyArray.ofFloats(new float[] {1, 2}, 2),
                "a", NpyArray.ofInts(new int[] {3}, 1),
                "c", NpyArray.ofLongs(new long[] {4}, 1, 1)), Map.of("format", "pt"));
        byte[] bytes = Files.readAllBytes(file);
        long n = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, n % 8);
        // compact JSON, metadata first, 8-byte types first, then by name; padded with spaces
        String expected = "{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"c\":{\"dtype\":\"I64\",\"shape\":[1,1],\"data_offsets\":[0,8]},"
                + "\"a\":{\"dtype\":\"I32\",\"shape\":[1],\"data_offsets\":[8,12]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[12,20]}}";
        assertEquals(expected, new String(bytes, 8, (int) n, StandardCharsets.UTF_8).stripTrailing());
        assertEquals(8 + n + 20, bytes.length);
    }

    @Test
    void noMetadataMeansNoMetadataEntry() throws IOException {
        Path file = dir.resolve("a.safetensors");
        SafetensorsWriter.write(file, Map.of("x", NpyArray.ofFloats(new float[] {1}, 1)), null);
        assertEquals("{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}  ",
                new String(Files.readAllBytes(file), 8, 56, StandardCharsets.UTF_8));
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            assertEquals(Map.of(), st.metadata());
        }
    }

    @Test
    void rejectsTheReservedName() {
        Path file = dir.resolve("a.safetensors");
        ClipWsssException e = assertThrows(ClipWsssException.class, () -> SafetensorsWriter.write(file,
                Map.of("__metadata__", NpyArray.ofFloats(new float[] {1}, 1)), Map.of()));
        assertEquals(file + ": '__metadata__' cannot be a tensor name", e.getMessage());
    }
}

package org.clipwsss.runtime.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.clipwsss.runtime.ClipWsssException;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Writes {@code .safetensors} files atomically, laid out as the reference implementation does: tensors sorted by
 * decreasing element size and then by name, header JSON padded with spaces to a multiple of 8 bytes. float32 arrays
 * are stored as F32, int64 as I64 and int32 as I32.
 */
public final class SafetensorsWriter {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SafetensorsWriter() {
    }

    /**
     * Writes {@code tensors} and {@code metadata} (may be empty or null) to {@code file}, replacing it atomically.
     *
     * @throws ClipWsssException if a tensor is named {@code __metadata__} or the file cannot be written
     */
    public static void write(Path file, Map<String, NpyArray> tensors, Map<String, String> metadata) {
        if (tensors.containsKey(SafetensorsFile.METADATA_KEY)) {
            throw ClipWsssException.file(file, "'" + SafetensorsFile.METADATA_KEY + "' cannot be a tensor name");
        }
        List<Map.Entry<String, NpyArray>> order = new ArrayList<>(tensors.entrySet());
        order.sort(Comparator.comparingInt((Map.Entry<String, NpyArray> e) -> -e.getValue().dtype().itemSize())
                .thenComparing(Map.Entry::getKey));

        ObjectNode header = JSON.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode meta = header.putObject(SafetensorsFile.METADATA_KEY);
            new TreeMap<>(metadata).forEach(meta::put);
        }
        long offset = 0;
        for (Map.Entry<String, NpyArray> e : order) {
            NpyArray array = e.getValue();
            long bytes = array.size() * array.dtype().itemSize();
            ObjectNode entry = header.putObject(e.getKey());
            entry.put("dtype", dtype(array));
            ArrayNode shape = entry.putArray("shape");
            for (long d : array.shape()) {
                shape.add(d);
            }
            entry.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }

        byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
        byte[] jsonBytes = Arrays.copyOf(json, (json.length + 7) / 8 * 8);
        Arrays.fill(jsonBytes, json.length, jsonBytes.length, (byte) ' ');
        AtomicFiles.write(file, out -> {
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(jsonBytes.length).array());
            out.write(jsonBytes);
            for (Map.Entry<String, NpyArray> e : order) {
                LittleEndianData.write(out, e.getValue());
            }
        });
    }

    private static String dtype(NpyArray array) {
        return switch (array.dtype()) {
            case FLOAT32 -> "F32";
            case INT64 -> "I64";
            case INT32 -> "I32";
            case UINT8 -> "U8";
            case FLOAT16 -> "F16";
        };
    }
}

package org.clipwsss.runtime.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import org.clipwsss.runtime.ClipWsssException;
import org.clipwsss.runtime.io.NpyArray.DType;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A {@code .safetensors} file opened for reading tensors on demand. Opening reads and fully validates the header
 * only (safe for untrusted files); each {@code read...} call reads one tensor with positional reads, so files larger
 * than 2 GB work and several threads may read at once. F32, F16 and BF16 tensors read as floats (halves are
 * converted exactly); I64 and I32 tensors read with {@link #readArray}; other dtypes may be present but not read.
 */
public final class SafetensorsFile implements AutoCloseable {
    static final long MAX_HEADER_BYTES = 100_000_000; // as the reference implementation
    static final String METADATA_KEY = "__metadata__";
    private static final Map<String, Integer> ITEM_SIZES = Map.ofEntries(
            Map.entry("BOOL", 1), Map.entry("U8", 1), Map.entry("I8", 1), Map.entry("F8_E5M2", 1),
            Map.entry("F8_E4M3", 1), Map.entry("F8_E8M0", 1), Map.entry("I16", 2), Map.entry("U16", 2),
            Map.entry("F16", 2), Map.entry("BF16", 2), Map.entry("I32", 4), Map.entry("U32", 4),
            Map.entry("F32", 4), Map.entry("F64", 8), Map.entry("I64", 8), Map.entry("U64", 8),
            Map.entry("C64", 8));
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private record Tensor(String name, String dtype, long[] shape, long begin, long end) {
    }

    private final Path file;
    private final FileChannel channel;
    private final long dataStart;
    private final Map<String, Tensor> tensors;
    private final Map<String, String> metadata;

    private SafetensorsFile(Path file, FileChannel channel) throws IOException {
        this.file = file;
        this.channel = channel;
        long fileSize = channel.size();
        if (fileSize < 8) {
            throw error("too small to be a safetensors file (" + fileSize + " bytes)");
        }
        long headerLength = readAt(0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (headerLength < 0 || headerLength > MAX_HEADER_BYTES) {
            throw error("header length " + Long.toUnsignedString(headerLength) + " is over the limit of "
                    + MAX_HEADER_BYTES + " bytes");
        }
        if (headerLength > fileSize - 8) {
            throw error("header length " + headerLength + " runs past the end of the file (" + fileSize + " bytes)");
        }
        this.dataStart = 8 + headerLength;
        JsonNode header = parseJson(readAt(8, (int) headerLength));
        Map<String, String> meta = Map.of();
        Map<String, Tensor> byName = new TreeMap<>();
        for (Map.Entry<String, JsonNode> e : header.properties()) {
            if (e.getKey().equals(METADATA_KEY)) {
                meta = parseMetadata(e.getValue());
            } else {
                byName.put(e.getKey(), parseTensor(e.getKey(), e.getValue(), fileSize - dataStart));
            }
        }
        checkNoOverlap(byName.values());
        this.tensors = Collections.unmodifiableMap(byName);
        this.metadata = meta;
    }

    /**
     * Opens and validates a safetensors file.
     *
     * @throws ClipWsssException "FILE: problem" if the file cannot be read or is not a valid safetensors file
     */
    public static SafetensorsFile open(Path file) {
        FileChannel channel;
        try {
            channel = FileChannel.open(file, StandardOpenOption.READ);
        } catch (IOException e) {
            throw ClipWsssException.file(file, IoProblems.describe("could not open", e), e);
        }
        try {
            return new SafetensorsFile(file, channel);
        } catch (IOException | RuntimeException e) {
            try {
                channel.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            if (e instanceof IOException io) {
                throw ClipWsssException.file(file, IoProblems.describe("could not read", io), io);
            }
            throw (RuntimeException) e;
        }
    }

    /** The file this was opened from. */
    public Path path() {
        return file;
    }

    /** The tensor names in sorted order (without {@code __metadata__}). */
    public Set<String> names() {
        return tensors.keySet();
    }

    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    /** A copy of the tensor's shape. */
    public long[] shape(String name) {
        return tensor(name).shape.clone();
    }

    /** The tensor's safetensors dtype, e.g. "F32", "BF16" or "I64". */
    public String dtype(String name) {
        return tensor(name).dtype;
    }

    /** The {@code __metadata__} map (empty if there is none). */
    public Map<String, String> metadata() {
        return metadata;
    }

    /**
     * Reads an F32, F16 or BF16 tensor as floats in C order.
     *
     * @throws ClipWsssException for an unknown name or another dtype
     */
    public float[] readFloats(String name) {
        Tensor t = tensor(name);
        if (!List.of("F32", "F16", "BF16").contains(t.dtype)) {
            throw error("tensor '" + name + "' has dtype " + t.dtype
                    + ", which cannot be read as floats (F32, F16, BF16 can)");
        }
        return (float[]) read(t);
    }

    /** Reads a tensor as an array: F32, F16 and BF16 as float32, I64 as int64, I32 as int32. */
    public NpyArray readArray(String name) {
        Tensor t = tensor(name);
        return NpyArray.wrap(read(t), t.shape);
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            throw ClipWsssException.file(file, IoProblems.describe("could not close", e), e);
        }
    }

    @Override
    public String toString() {
        return file + " (" + tensors.size() + " tensors)";
    }

    private Tensor tensor(String name) {
        Tensor t = tensors.get(name);
        if (t == null) {
            String examples = tensors.keySet().stream().limit(3).map(n -> "'" + n + "'")
                    .collect(Collectors.joining(", "));
            throw error("no tensor named '" + name + "' (has " + tensors.size() + " tensors"
                    + (tensors.isEmpty() ? "" : ", e.g. " + examples) + ")");
        }
        return t;
    }

    private Object read(Tensor t) {
        long count = Shapes.size(t.shape);
        if (count > Integer.MAX_VALUE - 8) {
            throw error("tensor '" + t.name + "' " + Shapes.format(t.shape) + " is too large for a Java array");
        }
        int n = (int) count;
        LittleEndianData.ByteSource source = source(t);
        try {
            return switch (t.dtype) {
                case "F32" -> LittleEndianData.read(source, DType.FLOAT32, n);
                case "I64" -> LittleEndianData.read(source, DType.INT64, n);
                case "I32" -> LittleEndianData.read(source, DType.INT32, n);
                case "F16", "BF16" -> {
                    boolean bf16 = t.dtype.equals("BF16");
                    float[] out = new float[n];
                    LittleEndianData.read(source, n, 2, (b, off, k) -> {
                        for (int i = 0; i < k; i++) {
                            short s = b.getShort(2 * i);
                            out[off + i] = bf16 ? HalfFloats.bf16ToFloat(s) : HalfFloats.f16ToFloat(s);
                        }
                    });
                    yield out;
                }
                default -> throw error("tensor '" + t.name + "' has dtype " + t.dtype
                        + ", which is not supported (F32, F16, BF16, I64, I32 are)");
            };
        } catch (IOException e) {
            throw ClipWsssException.file(file, IoProblems.describe("could not read tensor '" + t.name + "'", e), e);
        }
    }

    private LittleEndianData.ByteSource source(Tensor t) {
        long[] position = {dataStart + t.begin};
        return buffer -> {
            while (buffer.hasRemaining()) {
                int read = channel.read(buffer, position[0]);
                if (read < 0) {
                    throw error("the file ended while reading tensor '" + t.name
                            + "' (did it change since it was opened?)");
                }
                position[0] += read;
            }
        };
    }

    private ByteBuffer readAt(long position, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, position + buffer.position()) < 0) {
                throw error("the file ended unexpectedly");
            }
        }
        return buffer.flip();
    }

    private JsonNode parseJson(ByteBuffer bytes) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(bytes).toString();
        } catch (CharacterCodingException e) {
            throw error("header is not valid UTF-8");
        }
        JsonNode header;
        try {
            header = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw error("header is not valid JSON: " + e.getOriginalMessage());
        }
        if (header == null || !header.isObject()) {
            throw error("header is not a JSON object");
        }
        return header;
    }

    private Map<String, String> parseMetadata(JsonNode node) {
        Map<String, String> meta = new LinkedHashMap<>();
        if (node.isObject()) {
            node.properties().forEach(e -> meta.put(e.getKey(),
                    e.getValue().isTextual() ? e.getValue().asText() : null));
        }
        if (!node.isObject() || meta.containsValue(null)) {
            throw error(METADATA_KEY + " must be a JSON object of strings, not " + abbreviate(node));
        }
        return Collections.unmodifiableMap(meta);
    }

    private Tensor parseTensor(String name, JsonNode node, long dataSize) {
        String what = "tensor '" + name + "'";
        if (!node.isObject() || node.size() != 3
                || !node.has("dtype") || !node.has("shape") || !node.has("data_offsets")) {
            throw error(what + " must be an object with exactly dtype, shape and data_offsets, not "
                    + abbreviate(node));
        }
        String dtype = node.get("dtype").asText();
        Integer itemSize = ITEM_SIZES.get(dtype);
        if (!node.get("dtype").isTextual() || itemSize == null) {
            throw error(what + " has unknown dtype " + node.get("dtype"));
        }
        long[] shape = longs(node.get("shape"), -1, what + " shape");
        long[] offsets = longs(node.get("data_offsets"), 2, what + " data_offsets");
        long begin = offsets[0];
        long end = offsets[1];
        String offsetText = what + " data offsets [" + begin + ", " + end + "]";
        if (begin > end) {
            throw error(offsetText + " end before they begin");
        }
        if (end > dataSize) {
            throw error(offsetText + " run past the end of the file (" + dataSize + " data bytes after the "
                    + dataStart + "-byte header)");
        }
        long bytes;
        try {
            bytes = Math.multiplyExact(Shapes.size(shape), itemSize);
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw error(what + " shape " + Shapes.format(shape) + " is too large");
        }
        if (bytes != end - begin) {
            throw error(what + " of shape " + Shapes.format(shape) + " and dtype " + dtype + " needs " + bytes
                    + " bytes but its data offsets [" + begin + ", " + end + "] span " + (end - begin));
        }
        return new Tensor(name, dtype, shape, begin, end);
    }

    /** Non-negative integers from a JSON array, of the given length unless it is -1. */
    private long[] longs(JsonNode node, int length, String what) {
        boolean ok = node.isArray() && (length < 0 || node.size() == length);
        long[] out = new long[ok ? node.size() : 0];
        for (int i = 0; ok && i < out.length; i++) {
            JsonNode v = node.get(i);
            ok = v.isIntegralNumber() && v.canConvertToLong() && v.asLong() >= 0;
            out[i] = v.asLong();
        }
        if (!ok) {
            throw error(what + " must be a list of " + (length < 0 ? "" : length + " ")
                    + "non-negative integers, not " + abbreviate(node));
        }
        return out;
    }

    private void checkNoOverlap(Iterable<Tensor> all) {
        List<Tensor> sorted = new ArrayList<>();
        all.forEach(t -> {
            if (t.end > t.begin) {
                sorted.add(t);
            }
        });
        sorted.sort(Comparator.comparingLong(Tensor::begin));
        for (int i = 1; i < sorted.size(); i++) {
            Tensor a = sorted.get(i - 1);
            Tensor b = sorted.get(i);
            if (b.begin < a.end) {
                throw error("tensors '" + a.name + "' [" + a.begin + ", " + a.end + "] and '" + b.name + "' ["
                        + b.begin + ", " + b.end + "] overlap");
            }
        }
    }

    private static String abbreviate(JsonNode node) {
        String s = node.toString();
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }

    private ClipWsssException error(String problem) {
        return ClipWsssException.file(file, problem);
    }
}

package org.clipwsss.runtime.io;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;

import org.clipwsss.runtime.ClipWsssException;
import org.clipwsss.runtime.io.NpyArray.DType;

/**
 * Reads and writes NumPy {@code .npy} files (format versions 1.0, 2.0 and 3.0) holding little-endian float32,
 * int64 or int32 arrays, or uint8 arrays, in C order. Anything else is rejected with a one-line error naming the
 * file.
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final int MAX_HEADER_BYTES = 1 << 20;
    private static final int ALIGN = 64;
    private static final int GROWTH_AXIS_MAX_DIGITS = 21; // spare header space NumPy leaves, copied for identical files
    private static final Set<String> KEYS = Set.of("descr", "fortran_order", "shape");

    private Npy() {
    }

    /** Reads a {@code .npy} file; also checks that the file size matches the header. */
    public static NpyArray read(Path file) {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            return read(in, file.toString(), Files.size(file));
        } catch (IOException e) {
            throw ClipWsssException.file(file, IoProblems.describe("could not read", e), e);
        }
    }

    /**
     * Reads a {@code .npy} array from a stream that must end right after the data (e.g. a zip entry of a
     * {@code .npz}); the stream is not closed.
     *
     * @param nameForErrors the file name to put in error messages
     */
    public static NpyArray read(InputStream in, String nameForErrors) {
        try {
            return read(in, nameForErrors, -1);
        } catch (IOException e) {
            throw error(nameForErrors, IoProblems.describe("could not read", e));
        }
    }

    /** Writes {@code array} atomically as a version 1.0 {@code .npy} file, byte for byte as {@code numpy.save}. */
    public static void write(Path file, NpyArray array) {
        byte[] header = header(array);
        AtomicFiles.write(file, out -> {
            out.write(header);
            LittleEndianData.write(out, array);
        });
    }

    /** A {@code .npy} file's type and shape, read from its header alone. */
    public record Info(DType dtype, long[] shape) {
    }

    /**
     * The type and shape of a {@code .npy} file, after checking its header and that its size is what they need
     * (a cut or empty file is an error), without reading the data.
     */
    public static Info info(Path file) {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 12)) {
            String name = file.toString();
            HeaderAt at = readHeader(in, name);
            long total = at.end + Shapes.size(at.header.shape) * at.header.dtype.itemSize();
            long size = Files.size(file);
            if (size != total) {
                throw error(name, "file has " + size + " bytes but its header needs " + total);
            }
            return new Info(at.header.dtype, at.header.shape.clone());
        } catch (IOException e) {
            throw ClipWsssException.file(file, IoProblems.describe("could not read", e), e);
        }
    }

    private record HeaderAt(Header header, long end) {
    }

    private static HeaderAt readHeader(InputStream in, String name) throws IOException {
        byte[] start = in.readNBytes(MAGIC.length + 2);
        if (start.length < MAGIC.length + 2 || !Arrays.equals(start, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw error(name, "not a NumPy .npy file (it does not start with \\x93NUMPY)");
        }
        int major = start[6] & 0xff;
        int minor = start[7] & 0xff;
        if (major < 1 || major > 3 || minor != 0) {
            throw error(name, "unsupported .npy format version " + major + "." + minor + " (1.0, 2.0, 3.0 are)");
        }
        int lengthBytes = major == 1 ? 2 : 4;
        long headerLength = littleEndian(in.readNBytes(lengthBytes), lengthBytes);
        if (headerLength < 0 || headerLength > MAX_HEADER_BYTES) {
            throw error(name, headerLength < 0 ? "header is truncated"
                    : "header is too long (" + headerLength + " bytes)");
        }
        byte[] headerBytes = in.readNBytes((int) headerLength);
        if (headerBytes.length < headerLength) {
            throw error(name, "header is truncated");
        }
        Header h = parseHeader(name,
                new String(headerBytes, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1));
        return new HeaderAt(h, MAGIC.length + 2 + lengthBytes + headerLength);
    }

    private static NpyArray read(InputStream in, String name, long fileSize) throws IOException {
        HeaderAt at = readHeader(in, name);
        Header h = at.header;
        long size = Shapes.size(h.shape);
        if (size > Integer.MAX_VALUE - 8) {
            throw error(name, "shape " + Shapes.format(h.shape) + " has more elements than a Java array can hold");
        }
        long dataBytes = size * h.dtype.itemSize();
        long headerEnd = at.end;
        String needs = "shape " + Shapes.format(h.shape) + " of " + h.dtype + " needs " + dataBytes + " data bytes";
        long total = headerEnd + dataBytes;
        if (fileSize >= 0 && fileSize != total) {
            throw error(name, "file has " + fileSize + " bytes but " + needs + " after the " + headerEnd
                    + "-byte header (" + total + " in all)" + (fileSize < total ? "; truncated?" : ""));
        }
        Object data = LittleEndianData.read(buffer -> {
            int want = buffer.remaining();
            int got = in.readNBytes(buffer.array(), buffer.arrayOffset() + buffer.position(), want);
            if (got < want) {
                throw error(name, "truncated: the data ends early but " + needs);
            }
            buffer.position(buffer.position() + got);
        }, h.dtype, (int) size);
        if (in.read() != -1) {
            throw error(name, "extra bytes after the data (" + needs + ")");
        }
        return NpyArray.wrap(data, h.shape);
    }

    private record Header(DType dtype, long[] shape) {
    }

    private static Header parseHeader(String name, String text) {
        Object parsed;
        try {
            parsed = PyLiteral.parse(text);
        } catch (IllegalArgumentException e) {
            throw error(name, "header is not a valid Python literal: " + e.getMessage());
        }
        if (!(parsed instanceof Map<?, ?> dict)) {
            throw error(name, "header is not a dict");
        }
        if (!dict.keySet().equals(KEYS)) {
            throw error(name, "header keys are " + show(dict.keySet()) + " but must be descr, fortran_order and shape");
        }
        DType dtype = dtype(name, dict.get("descr"));
        if (!(dict.get("fortran_order") instanceof Boolean fortran)) {
            throw error(name, "fortran_order is " + show(dict.get("fortran_order")) + ", not True or False");
        }
        if (fortran) {
            throw error(name, "Fortran (column-major) order is not supported; save np.ascontiguousarray(a) instead");
        }
        return new Header(dtype, shape(name, dict.get("shape")));
    }

    private static DType dtype(String name, Object descr) {
        if (!(descr instanceof String d)) {
            throw error(name, "dtype " + show(descr) + " is not supported (float32, float16, int64, int32, uint8 are)");
        }
        char order = d.isEmpty() ? '?' : d.charAt(0);
        boolean hasOrder = "<>=|".indexOf(order) >= 0;
        DType dtype = switch (hasOrder ? d.substring(1) : d) {
            case "f4" -> DType.FLOAT32;
            case "i8" -> DType.INT64;
            case "i4" -> DType.INT32;
            case "u1" -> DType.UINT8;
            case "f2" -> DType.FLOAT16;
            default -> null;
        };
        if (dtype == null) {
            throw error(name, "dtype '" + show(d) + "' is not supported (float32, float16, int64, int32, uint8 are)");
        }
        if (order == '>' && dtype.itemSize() > 1) {
            throw error(name, "dtype '" + d + "' is big-endian, which is not supported; save a.astype('<"
                    + d.substring(1) + "') instead");
        }
        return dtype;
    }

    private static long[] shape(String name, Object shape) {
        if (!(shape instanceof List<?> dims) || !dims.stream().allMatch(d -> d instanceof Long v && v >= 0)) {
            throw error(name, "shape " + show(shape) + " is not a tuple of non-negative integers");
        }
        long[] out = dims.stream().mapToLong(d -> (Long) d).toArray();
        try {
            Shapes.size(out);
        } catch (IllegalArgumentException e) {
            throw error(name, "shape " + Shapes.format(out) + " has too many elements");
        }
        return out;
    }

    /** The header NumPy writes for {@code array}: magic, version, length, dict, spaces, newline; 64-byte aligned. */
    static byte[] header(NpyArray array) {
        long[] shape = array.shape();
        StringJoiner dims = new StringJoiner(", ", "(", shape.length == 1 ? ",)" : ")");
        for (long d : shape) {
            dims.add(Long.toString(d));
        }
        String descr = switch (array.dtype()) {
            case FLOAT32 -> "<f4";
            case INT64 -> "<i8";
            case INT32 -> "<i4";
            case UINT8 -> "|u1";
            case FLOAT16 -> "<f2";
        };
        StringBuilder dict = new StringBuilder(
                "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + dims + ", }");
        if (shape.length > 0) {
            dict.append(" ".repeat(GROWTH_AXIS_MAX_DIGITS - Long.toString(shape[0]).length()));
        }
        int textLength = dict.length() + 1; // + '\n'
        int prefix = MAGIC.length + 2 + 2;
        int pad = ALIGN - (prefix + textLength) % ALIGN;
        int version = 1;
        if (textLength + pad > 0xffff) { // as NumPy: fall back to version 2.0 with a 4-byte length
            version = 2;
            prefix += 2;
            pad = ALIGN - (prefix + textLength) % ALIGN;
        }
        dict.append(" ".repeat(pad)).append('\n');
        byte[] text = dict.toString().getBytes(StandardCharsets.ISO_8859_1);
        byte[] out = Arrays.copyOf(MAGIC, prefix + text.length);
        out[6] = (byte) version;
        for (int i = 0; i < prefix - 8; i++) {
            out[8 + i] = (byte) (text.length >>> (8 * i));
        }
        System.arraycopy(text, 0, out, prefix, text.length);
        return out;
    }

    /** An unsigned little-endian integer from {@code length} bytes; -1 if there are fewer bytes (truncated). */
    private static long littleEndian(byte[] bytes, int length) {
        if (bytes.length < length) {
            return -1;
        }
        long v = 0;
        for (int i = bytes.length - 1; i >= 0; i--) {
            v = (v << 8) | (bytes[i] & 0xff);
        }
        return v;
    }

    /** A header value for an error message: at most 80 characters, so that a hostile header stays one short line. */
    private static String show(Object value) {
        String text = String.valueOf(value).replaceAll("[\\p{Cntrl}\\u0085\\u2028\\u2029]", " ");
        return text.length() <= 80 ? text : text.substring(0, 77) + "...";
    }

    private static ClipWsssException error(String name, String problem) {
        return new ClipWsssException(name + ": " + problem);
    }
}

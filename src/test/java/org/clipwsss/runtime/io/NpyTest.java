package org.clipwsss.runtime.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.Random;
import java.util.stream.Stream;

import org.clipwsss.runtime.ClipWsssException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class NpyTest {
    private static final Path REFERENCE = Path.of("src/test/resources/conformance/clip-tiny/reference");

    // Files made by numpy 2.4 (base64 of np.save / np.lib.format.write_array output).
    /** np.save(f, np.arange(6, dtype='<f4').reshape(2, 3) * 0.5 - 1) */
    private static final String NUMPY_F4_2X3 = "k05VTVBZAQB2AHsnZGVzY3InOiAnPGY0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDMpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAIC/AAAAvwAAAAAAAAA/AACAPwAAwD8=";
    /** np.save(f, np.array(-7, dtype='<i8')) */
    private static final String NUMPY_I8_SCALAR = "k05VTVBZAQB2AHsnZGVzY3InOiAnPGk4JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKCksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAr5/////////w==";
    /** np.save(f, np.array([-1, 2, 2**31 - 1], dtype='<i4')) */
    private static final String NUMPY_I4_3 = "k05VTVBZAQB2AHsnZGVzY3InOiAnPGk0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDMsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAr/////AgAAAP///38=";
    /** np.save(f, np.zeros((3, 0), dtype='<f4')) */
    private static final String NUMPY_F4_EMPTY = "k05VTVBZAQB2AHsnZGVzY3InOiAnPGY0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDMsIDApLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAo=";
    /** write_array(f, np.array([[1.5, -2.25]], dtype='<f4'), version=(2, 0)) */
    private static final String NUMPY_V2 = "k05VTVBZAgB0AAAAeydkZXNjcic6ICc8ZjQnLCAnZm9ydHJhbl9vcmRlcic6IEZhbHNlLCAnc2hhcGUnOiAoMSwgMiksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAMA/AAAQwA==";
    /** the same with version=(3, 0) */
    private static final String NUMPY_V3 = "k05VTVBZAwB0AAAAeydkZXNjcic6ICc8ZjQnLCAnZm9ydHJhbl9vcmRlcic6IEZhbHNlLCAnc2hhcGUnOiAoMSwgMiksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAMA/AAAQwA==";

    @TempDir
    Path dir;

    static Stream<NpyArray> arrays() {
        Random random = new Random(1);
        float[] big = new float[3 * 33_335]; // several I/O chunks
        for (int i = 0; i < big.length; i++) {
            big[i] = (float) random.nextGaussian();
        }
        return Stream.of(
                NpyArray.ofFloats(new float[] {1.5f, -0f, Float.NaN, Float.NEGATIVE_INFINITY, Float.MIN_VALUE, 3e38f}, 2, 3),
                NpyArray.ofFloats(new float[] {42}), // 0-d
                NpyArray.ofFloats(new float[0], 0),
                NpyArray.ofFloats(big, 3, 33_335),
                NpyArray.ofLongs(new long[] {Long.MIN_VALUE, -1, 0, Long.MAX_VALUE}, 2, 1, 2),
                NpyArray.ofLongs(new long[] {-7}),
                NpyArray.ofLongs(new long[0], 3, 0),
                NpyArray.ofInts(new int[] {Integer.MIN_VALUE, -1, 0, 1, Integer.MAX_VALUE}, 5),
                NpyArray.ofInts(new int[] {9}),
                NpyArray.ofInts(new int[0], 0, 4));
    }

    @ParameterizedTest
    @MethodSource("arrays")
    void roundTrip(NpyArray array) throws IOException {
        Path file = dir.resolve("a.npy");
        Npy.write(file, array);
        assertEquals(array, Npy.read(file));
        assertEquals(0, (Files.size(file) - array.size() * array.dtype().itemSize()) % 64, "data is 64-byte aligned");
        try (var in = Files.newInputStream(file)) {
            assertEquals(array, Npy.read(in, "a.npy"));
        }
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary file is left behind");
        }
    }

    @Test
    void writesTheSameBytesAsNumpy() throws IOException {
        assertWritesLikeNumpy(NUMPY_F4_2X3, NpyArray.ofFloats(new float[] {-1, -0.5f, 0, 0.5f, 1, 1.5f}, 2, 3));
        assertWritesLikeNumpy(NUMPY_I8_SCALAR, NpyArray.ofLongs(new long[] {-7}));
        assertWritesLikeNumpy(NUMPY_I4_3, NpyArray.ofInts(new int[] {-1, 2, Integer.MAX_VALUE}, 3));
        assertWritesLikeNumpy(NUMPY_F4_EMPTY, NpyArray.ofFloats(new float[0], 3, 0));
    }

    private void assertWritesLikeNumpy(String numpyBase64, NpyArray array) throws IOException {
        byte[] numpy = Base64.getDecoder().decode(numpyBase64);
        Path file = dir.resolve("numpy.npy");
        Npy.write(file, array);
        assertArrayEquals(numpy, Files.readAllBytes(file), array.toString());
        assertEquals(array, read(numpy));
    }

    @Test
    void readsVersions2And3() {
        NpyArray expected = NpyArray.ofFloats(new float[] {1.5f, -2.25f}, 1, 2);
        assertEquals(expected, read(Base64.getDecoder().decode(NUMPY_V2)));
        assertEquals(expected, read(Base64.getDecoder().decode(NUMPY_V3)));
    }

    @Test
    void readsRealReferenceFiles() {
        NpyArray pixels = Npy.read(REFERENCE.resolve("pixel_values.npy"));
        assertArrayEquals(new long[] {2, 3, 224, 224}, pixels.shape());
        float[] p = pixels.floats();
        // expected values printed by numpy: p[0,0,0,0], p[1,2,223,223], p[0,1,100,50], p.astype(float64).sum()
        assertEquals(-1.5255959f, p[0]);
        assertEquals(0.3089901f, p[((1 * 3 + 2) * 224 + 223) * 224 + 223]);
        assertEquals(-1.4611493f, p[((0 * 3 + 1) * 224 + 100) * 224 + 50]);
        assertEquals(568.9900179878828, sum(p), 1e-9);

        NpyArray ids = Npy.read(REFERENCE.resolve("input_ids.npy"));
        assertArrayEquals(new long[] {3, 77}, ids.shape());
        long[] v = ids.longs();
        assertArrayEquals(new long[] {49406, 320, 1125, 539, 320, 2368, 269, 49407}, Arrays.copyOf(v, 8));
        assertArrayEquals(new long[] {49406, 2368, 49407, 0}, Arrays.copyOfRange(v, 77, 81));
        assertEquals(312860, Arrays.stream(v).sum());
    }

    private static double sum(float[] values) {
        double s = 0;
        for (float f : values) {
            s += f;
        }
        return s;
    }

    @Test
    void acceptsNativeAndNotApplicableByteOrderMarks() {
        byte[] data = {0, 0, (byte) 0xc0, 0x3f};
        assertEquals(NpyArray.ofFloats(new float[] {1.5f}, 1), read(npy("{'descr': '=f4', 'fortran_order': False, 'shape': (1,), }", data)));
        assertEquals(NpyArray.ofFloats(new float[] {1.5f}, 1), read(npy("{'descr': '|f4', 'fortran_order': False, 'shape': (1,), }", data)));
        assertEquals(NpyArray.ofInts(new int[] {0x3fc00000}, 1), read(npy("{\"shape\": [1], \"descr\": \"<i4\", \"fortran_order\": False}", data)));
    }

    @Test
    void rejectsUnsupportedDtypes() throws IOException {
        assertError(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", new byte[8]),
                "dtype '<f8' is not supported (float32, float16, int64, int32, uint8 are)");
        assertError(npy("{'descr': '|b1', 'fortran_order': False, 'shape': (1,), }", new byte[1]),
                "dtype '|b1' is not supported");
        assertError(npy("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", new byte[8]),
                "dtype '|O' is not supported");
        assertError(npy("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }", new byte[4]),
                "dtype [[a, <f4]] is not supported");
        assertError(npy("{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }", new byte[4]),
                "dtype '>f4' is big-endian, which is not supported");
    }

    @Test
    void rejectsFortranOrder() throws IOException {
        assertError(npy("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", new byte[16]),
                "Fortran (column-major) order is not supported");
    }

    @Test
    void rejectsBadHeaders() throws IOException {
        assertError("not numpy at all".getBytes(StandardCharsets.US_ASCII), "not a NumPy .npy file");
        assertError(new byte[] {(byte) 0x93, 'N', 'U'}, "not a NumPy .npy file");
        byte[] v4 = Base64.getDecoder().decode(NUMPY_V2);
        v4[6] = 4;
        assertError(v4, "unsupported .npy format version 4.0");
        assertError(npy("['descr', 'fortran_order', 'shape']", new byte[0]), "header is not a dict");
        assertError(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,)", new byte[4]), "header is not a valid Python literal");
        assertError(npy("{'descr': '<f4', 'shape': (1,)}", new byte[4]), "header keys are [descr, shape]");
        assertError(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x': 1}", new byte[4]), "header keys are");
        assertError(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (-1,)}", new byte[4]), "shape [-1] is not a tuple of non-negative integers");
        assertError(npy("{'descr': '<f4', 'fortran_order': False, 'shape': 4}", new byte[16]), "shape 4 is not a tuple");
        assertError(npy("{'descr': '<f4', 'fortran_order': 0, 'shape': (4,)}", new byte[16]), "fortran_order is 0, not True or False");
        assertError(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (65536, 65536)}", new byte[16]),
                "shape [65536, 65536] has more elements than a Java array can hold");
        byte[] cut = Base64.getDecoder().decode(NUMPY_F4_2X3);
        assertError(Arrays.copyOf(cut, 7), "not a NumPy .npy file");
        assertError(Arrays.copyOf(cut, 9), "header is truncated");
        assertError(Arrays.copyOf(cut, 11), "header is truncated");
        assertError(Arrays.copyOf(cut, 100), "header is truncated");
    }

    @Test
    void rejectsDataOfTheWrongSize() throws IOException {
        byte[] ok = Base64.getDecoder().decode(NUMPY_F4_2X3);
        assertError(Arrays.copyOf(ok, ok.length - 1),
                "file has 151 bytes but shape [2, 3] of float32 needs 24 data bytes after the 128-byte header (152 in all); truncated?");
        assertError(Arrays.copyOf(ok, ok.length + 4),
                "file has 156 bytes but shape [2, 3] of float32 needs 24 data bytes");
        // streams cannot know the size in advance
        ClipWsssException e = assertThrows(ClipWsssException.class,
                () -> Npy.read(new ByteArrayInputStream(Arrays.copyOf(ok, ok.length - 1)), "stream.npy"));
        assertEquals("stream.npy: truncated: the data ends early but shape [2, 3] of float32 needs 24 data bytes", e.getMessage());
        e = assertThrows(ClipWsssException.class,
                () -> Npy.read(new ByteArrayInputStream(Arrays.copyOf(ok, ok.length + 1)), "stream.npy"));
        assertEquals("stream.npy: extra bytes after the data (shape [2, 3] of float32 needs 24 data bytes)", e.getMessage());
    }

    @Test
    void missingFileIsAClearError() {
        Path missing = dir.resolve("missing.npy");
        ClipWsssException e = assertThrows(ClipWsssException.class, () -> Npy.read(missing));
        assertTrue(e.getMessage().startsWith(missing + ": could not read: no such file"), e.getMessage());
    }

    @Test
    void writeIntoAMissingFolderIsAClearError() {
        Path target = dir.resolve("nope/a.npy");
        ClipWsssException e = assertThrows(ClipWsssException.class,
                () -> Npy.write(target, NpyArray.ofInts(new int[] {1}, 1)));
        assertTrue(e.getMessage().startsWith(target + ": could not write"), e.getMessage());
    }

    /** Writes {@code bytes} to bad.npy, reads it and checks the error message names the file and the problem. */
    private void assertError(byte[] bytes, String problem) throws IOException {
        Path file = dir.resolve("bad.npy");
        Files.write(file, bytes);
        ClipWsssException e = assertThrows(ClipWsssException.class, () -> Npy.read(file));
        assertTrue(e.getMessage().startsWith(file + ": " + problem), e.getMessage());
    }

    private static NpyArray read(byte[] bytes) {
        return Npy.read(new ByteArrayInputStream(bytes), "test.npy");
    }

    /** A version 1.0 .npy file with the given header dict text and raw data. */
    static byte[] npy(String dict, byte[] data) {
        byte[] header = (dict + "\n").getBytes(StandardCharsets.ISO_8859_1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0,
                (byte) header.length, (byte) (header.length >> 8)});
        out.writeBytes(header);
        out.writeBytes(data);
        return out.toByteArray();
    }
}

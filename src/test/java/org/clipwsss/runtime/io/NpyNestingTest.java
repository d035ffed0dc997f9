package org.clipwsss.runtime.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.clipwsss.runtime.ClipWsssException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hostile .npy headers: deep nesting and huge values give one short error line, not a StackOverflowError. */
class NpyNestingTest {
    @TempDir
    Path dir;

    /** A version 2.0 .npy file (4-byte header length) with the given header text and data. */
    static byte[] npyV2(String dict, byte[] data) {
        byte[] header = (dict + "\n").getBytes(StandardCharsets.ISO_8859_1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0});
        int n = header.length;
        out.writeBytes(new byte[] {(byte) n, (byte) (n >> 8), (byte) (n >> 16), (byte) (n >> 24)});
        out.writeBytes(header);
        out.writeBytes(data);
        return out.toByteArray();
    }

    private String error(String header) throws Exception {
        Path file = dir.resolve("bad.npy");
        Files.write(file, npyV2(header, new byte[0]));
        ClipWsssException e = assertThrows(ClipWsssException.class, () -> Npy.read(file));
        assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertTrue(e.getMessage().length() < 300, e.getMessage());
        return e.getMessage();
    }

    @Test
    void deepNestingIsRefusedWithoutOverflowingTheStack() throws Exception {
        for (String open : new String[] {"(", "[", "{'a': "}) {
            String deep = "{'descr': '<f4', 'fortran_order': False, 'shape': " + open.repeat(100_000) + "}";
            assertTrue(error(deep).contains("header is not a valid Python literal: nested more than 32 levels deep"),
                    open);
        }
    }

    @Test
    void nestingUpToTheLimitParses() {
        int limit = PyLiteral.MAX_DEPTH;
        Object v = PyLiteral.parse("[".repeat(limit) + "1" + "]".repeat(limit));
        for (int i = 0; i < limit - 1; i++) {
            v = ((List<?>) v).get(0);
        }
        assertEquals(List.of(1L), v);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PyLiteral.parse("(".repeat(limit + 1) + ")".repeat(limit + 1)));
        assertEquals("nested more than 32 levels deep (at character 32)", e.getMessage());
        // siblings do not add up: only the depth counts
        assertEquals(200, ((List<?>) PyLiteral.parse("[" + "[[1]], ".repeat(200) + "]")).size());
    }

    @Test
    void hugeOrOddValuesAreShortenedInTheMessage() throws Exception {
        String longShape = "{'descr': '<f4', 'fortran_order': False, 'shape': ('" + "x".repeat(100_000) + "',)}";
        assertTrue(error(longShape).contains("shape [xxxxx"), "shape shown shortened");
        String digits = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + "9".repeat(100_000) + ",)}";
        assertTrue(error(digits).contains("bad integer '9999"), "integer shown shortened");
        String control = "{'descr': '<f4', 'fortran_order': False, 'shape': (1,)\u0001}";
        assertTrue(error(control).contains("\\u0001"), "control characters escaped");
        String keys = "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'k\nk': 1}";
        assertTrue(error(keys).contains("header keys are"), "newline in a key");
    }
}

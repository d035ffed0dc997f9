package org.clipwsss.runtime.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

import org.clipwsss.runtime.ClipWsssException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
    @TempDir
    Path dir;

    @Test
    void writesAndReplaces() throws IOException {
        Path file = dir.resolve("out.txt");
        AtomicFiles.writeString(file, "first");
        AtomicFiles.writeString(file, "zweite \u00e9");
        assertEquals("zweite \u00e9", Files.readString(file));
        assertEquals(List.of(file), entries());
    }

    @Test
    void aFailingWriterLeavesTheOldFileAndNoTemporaryFile() throws IOException {
        Path file = dir.resolve("out.txt");
        AtomicFiles.writeString(file, "old");

        ClipWsssException e = assertThrows(ClipWsssException.class, () -> AtomicFiles.write(file, out -> {
            out.write("partial".getBytes());
            throw new IOException("disk full");
        }));
        assertEquals(file + ": could not write: disk full", e.getMessage());

        IllegalStateException bug = new IllegalStateException("bug");
        assertSame(bug, assertThrows(IllegalStateException.class, () -> AtomicFiles.write(file, out -> {
            throw bug;
        })));

        assertEquals("old", Files.readString(file));
        assertEquals(List.of(file), entries());
    }

    @Test
    void relativeTargetsWork() throws IOException {
        Path file = Path.of("target", "atomic-files-test-" + System.nanoTime() + ".txt");
        try {
            AtomicFiles.writeString(file, "x");
            assertEquals("x", Files.readString(file));
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Test
    void missingFolderIsAClearError() {
        Path file = dir.resolve("no/such/out.txt");
        ClipWsssException e = assertThrows(ClipWsssException.class, () -> AtomicFiles.writeString(file, "x"));
        assertTrue(e.getMessage().startsWith(file + ": could not write: no such file or folder"), e.getMessage());
    }

    private List<Path> entries() throws IOException {
        try (var s = Files.list(dir)) {
            return s.collect(Collectors.toList());
        }
    }
}

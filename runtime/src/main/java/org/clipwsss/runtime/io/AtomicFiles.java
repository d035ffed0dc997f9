package org.clipwsss.runtime.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import org.clipwsss.runtime.ClipWsssException;

/**
 * Writes files atomically: the content goes to a temporary file in the target's folder, which is flushed to disk
 * and then moved over the target, so readers never see a half-written file. On failure the target is untouched
 * and the temporary file is removed.
 */
public final class AtomicFiles {
    private AtomicFiles() {
    }

    /** Writes a file's content to a stream; the stream is buffered and is closed by {@link AtomicFiles}. */
    @FunctionalInterface
    public interface IoWriter {
        void write(OutputStream out) throws IOException;
    }

    /**
     * Atomically replaces {@code target} with what {@code writer} writes. The folder must exist.
     *
     * @throws ClipWsssException "TARGET: could not write: ..." (exceptions thrown by the writer propagate unchanged
     *                           if they are not {@link IOException}s)
     */
    public static void write(Path target, IoWriter writer) {
        Path dir = target.toAbsolutePath().getParent();
        Path temp = dir.resolve("." + target.getFileName() + "."
                + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
        boolean created = false;
        try {
            FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            created = true;
            try (channel; OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16)) {
                writer.write(out);
                out.flush();
                channel.force(true);
            }
            move(temp, target);
        } catch (IOException e) {
            ClipWsssException failure = ClipWsssException.file(target, IoProblems.describe("could not write", e), e);
            cleanUp(created, temp, failure);
            throw failure;
        } catch (RuntimeException | Error e) {
            cleanUp(created, temp, e);
            throw e;
        }
    }

    /**
     * Moves a finished file over {@code target} (same folder or file system), atomically where the file system
     * can, else with a plain replacing move.
     */
    public static void move(Path source, Path target) throws IOException {
        try {
            Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(source, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Atomically replaces {@code target} with {@code text} in UTF-8. */
    public static void writeString(Path target, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        write(target, out -> out.write(bytes));
    }

    private static void cleanUp(boolean created, Path temp, Throwable failure) {
        try {
            if (created) {
                Files.deleteIfExists(temp);
            }
        } catch (IOException e) {
            failure.addSuppressed(e);
        }
    }

    /** Deletes a folder and everything in it (nothing when it does not exist); a failure names the folder. */
    public static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try {
            List<Path> paths;
            try (java.util.stream.Stream<Path> walk = Files.walk(dir)) {
                paths = walk.sorted(java.util.Comparator.reverseOrder()).toList();
            }
            for (Path p : paths) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw ClipWsssException.file(dir, IoProblems.describe("could not delete", e), e);
        }
    }
}

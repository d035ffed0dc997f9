package org.clipwsss.runtime.batch;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.clipwsss.runtime.ClipWsssException;

/**
 * An exclusive lock on an output folder ({@code .clip-wsss.lock}, an OS file lock, released when the process ends
 * however it ends), so that a second run writing to the same folder stops with a clear error instead of mixing
 * its outputs with the first's.
 */
final class OutputLock implements AutoCloseable {
    static final String FILE = ".clip-wsss.lock";

    private final FileChannel channel;
    private final FileLock lock;
    /** Releases a shard's shared hold on the folder's lock (null for a whole-folder run). */
    private final Runnable folder;

    private OutputLock(FileChannel channel, FileLock lock, Runnable folder) {
        this.channel = channel;
        this.lock = lock;
        this.folder = folder;
    }

    /**
     * A shard's locks: the folder's lock shared (so shards run side by side, and a whole-folder run cannot start among
     * them) and the shard's own {@code .clip-wsss.shard-I-of-N.lock} exclusive (the same shard cannot run twice).
     */
    static OutputLock acquireShard(Path out, Shard shard) {
        Runnable shared = shared(out);
        try {
            String own = ".clip-wsss" + shard.suffix() + ".lock";
            return lock(out, own, false, "shard " + shard + " is already running on this output folder (it holds " + own + ")", shared);
        } catch (RuntimeException e) {
            shared.run();
            throw e;
        }
    }

    /** The folder's lock held shared, once per JVM (shards of one JVM, e.g. Spark tasks, share the hold). */
    private static final java.util.Map<Path, Held> SHARED = new java.util.HashMap<>();

    /** A shared hold on a folder's lock and how many shards of this JVM use it. */
    private static final class Held {
        final OutputLock lock;
        int users;

        Held(OutputLock lock) {
            this.lock = lock;
        }
    }

    private static synchronized Runnable shared(Path out) {
        Path key = out.toAbsolutePath().normalize();
        Held held = SHARED.computeIfAbsent(key, k -> new Held(lock(out, FILE, true, "a run over the whole folder is writing to it"
                + " (it holds " + FILE + "); wait for it to finish, or give another output folder", null)));
        held.users++;
        return () -> release(key);
    }

    private static synchronized void release(Path key) {
        Held held = SHARED.get(key);
        if (--held.users == 0) {
            SHARED.remove(key);
            held.lock.close();
        }
    }

    static OutputLock acquire(Path out) {
        return lock(out, FILE, false, "another run is writing to this output folder (it holds " + FILE
                + " or a shard's lock); wait for it to finish, or give another output folder", null);
    }

    private static OutputLock lock(Path out, String name, boolean shared, String busy, Runnable folder) {
        Path file = out.resolve(name);
        FileChannel channel;
        try {
            channel = shared ? FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE)
                    : FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw ClipWsssException.file(out, "cannot create the lock file " + name + " (" + e.getMessage() + ")", e);
        }
        FileLock lock;
        try {
            lock = channel.tryLock(0, Long.MAX_VALUE, shared);
        } catch (OverlappingFileLockException | IOException e) {
            lock = null;
        }
        if (lock == null) {
            try {
                channel.close();
            } catch (IOException e) {
                // the lock was not ours; nothing to release
            }
            throw ClipWsssException.file(out, busy);
        }
        return new OutputLock(channel, lock, folder);
    }

    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException e) {
            throw new ClipWsssException("cannot release the output folder's lock (" + e.getMessage() + ")", e);
        } finally {
            if (folder != null) {
                folder.run();
            }
        }
    }
}

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
    /** A shard's shared hold on the folder's lock (null for a whole-folder run). */
    private final OutputLock folder;

    private OutputLock(FileChannel channel, FileLock lock, OutputLock folder) {
        this.channel = channel;
        this.lock = lock;
        this.folder = folder;
    }

    /**
     * A shard's locks: the folder's lock shared (so shards run side by side, and a whole-folder run cannot start among
     * them) and the shard's own {@code .clip-wsss.shard-I-of-N.lock} exclusive (the same shard cannot run twice).
     */
    static OutputLock acquireShard(Path out, Shard shard) {
        OutputLock shared = lock(out, FILE, true, "a run over the whole folder is writing to it (it holds " + FILE
                + "); wait for it to finish, or give another output folder", null);
        try {
            String own = ".clip-wsss" + shard.suffix() + ".lock";
            return lock(out, own, false, "shard " + shard + " is already running on this output folder (it holds " + own + ")", shared);
        } catch (RuntimeException e) {
            shared.close();
            throw e;
        }
    }

    static OutputLock acquire(Path out) {
        return lock(out, FILE, false, "another run is writing to this output folder (it holds " + FILE
                + " or a shard's lock); wait for it to finish, or give another output folder", null);
    }

    private static OutputLock lock(Path out, String name, boolean shared, String busy, OutputLock folder) {
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
                folder.close();
            }
        }
    }
}

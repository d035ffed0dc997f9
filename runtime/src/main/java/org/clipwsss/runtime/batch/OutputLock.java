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

    private OutputLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    static OutputLock acquire(Path out) {
        Path file = out.resolve(FILE);
        FileChannel channel;
        try {
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw ClipWsssException.file(out, "cannot create the lock file " + FILE + " (" + e.getMessage() + ")", e);
        }
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException | IOException e) {
            lock = null;
        }
        if (lock == null) {
            try {
                channel.close();
            } catch (IOException e) {
                // the lock was not ours; nothing to release
            }
            throw ClipWsssException.file(out, "another run is writing to this output folder (it holds " + FILE
                    + "); wait for it to finish, or give another output folder");
        }
        return new OutputLock(channel, lock);
    }

    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException e) {
            throw new ClipWsssException("cannot release the output folder's lock (" + e.getMessage() + ")", e);
        }
    }
}

package org.clipwsss.runtime.io;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;

/** Turns an {@link IOException} into the short phrase used after "FILE: ". */
public final class IoProblems {
    private IoProblems() {
    }

    public static String describe(String action, IOException e) {
        if (e instanceof NoSuchFileException n) {
            return action + ": no such file or folder " + n.getFile();
        } else if (e instanceof AccessDeniedException) {
            return action + ": permission denied";
        } else if (e instanceof ClosedChannelException) {
            return action + ": the file was already closed";
        } else if (e instanceof FileSystemException f && f.getReason() != null) {
            return action + ": " + f.getReason();
        }
        return action + ": " + (e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName());
    }
}

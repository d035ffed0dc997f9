package org.clipwsss.runtime.models;

/** Receives download progress; called on the downloading thread. */
@FunctionalInterface
public interface DownloadListener {
    /** Does nothing. */
    DownloadListener NONE = (file, done, total) -> {
    };

    /**
     * @param file  the file being downloaded (its path in the model folder when called by {@link ModelStore})
     * @param done  bytes of the file present so far (a resumed download starts above 0)
     * @param total the file's size, or -1 when not known
     */
    void progress(String file, long done, long total);
}

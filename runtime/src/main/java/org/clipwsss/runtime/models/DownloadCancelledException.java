package org.clipwsss.runtime.models;

import org.clipwsss.runtime.ClipWsssException;

/** A download stopped because it was cancelled; what was received is kept in the {@code .part} file. */
public class DownloadCancelledException extends ClipWsssException {
    private static final long serialVersionUID = 1L;

    public DownloadCancelledException(String message) {
        super(message);
    }
}

package org.clipwsss.runtime;

import java.nio.file.Path;

/**
 * The one error type users see: a single line that names the file (when there is one) and the problem.
 * Code that catches lower-level exceptions wraps them here with a message a user can act on.
 */
public class ClipWsssException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ClipWsssException(String message) {
        super(message);
    }

    public ClipWsssException(String message, Throwable cause) {
        super(message, cause);
    }

    /** "FILE: problem" */
    public static ClipWsssException file(Path file, String problem) {
        return new ClipWsssException(file + ": " + problem);
    }

    /** "FILE: problem", keeping the cause for debugging. */
    public static ClipWsssException file(Path file, String problem, Throwable cause) {
        return new ClipWsssException(file + ": " + problem, cause);
    }
}

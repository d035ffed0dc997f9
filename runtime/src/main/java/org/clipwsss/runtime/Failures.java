package org.clipwsss.runtime;

import java.io.IOException;

/**
 * How a failure is told to a person: one line, our own errors as they are, anything else (a bug, an
 * {@link Error} from a library or the JVM) with its type so the cause is named.
 */
public final class Failures {
    private Failures() {
    }

    /** One line naming the problem; for a non-project failure its type comes first. */
    public static String describe(Throwable t) {
        if (t instanceof ClipWsssException || t instanceof IOException && t.getMessage() != null) {
            return oneLine(t.getMessage());
        }
        String m = oneLine(String.valueOf(t.getMessage()));
        if (t instanceof OutOfMemoryError) {
            m += " (not enough memory; give Java more heap with -Xmx or Fiji's Edit > Options > Memory)";
        } else if (t instanceof StackOverflowError) {
            m = "stack overflow";
        }
        return t.getClass().getSimpleName() + ": " + m;
    }

    /**
     * An {@link Error} after which the next image would fail the same way or the JVM may be unusable: a class or
     * native library that cannot be linked, or an internal error of the JVM. A batch stops there (its reports
     * written); other Errors ({@code OutOfMemoryError} of one large image, {@code StackOverflowError},
     * {@code AssertionError}) fail only the image at hand.
     */
    public static boolean endsTheRun(Throwable t) {
        return t instanceof LinkageError
                || t instanceof VirtualMachineError && !(t instanceof OutOfMemoryError) && !(t instanceof StackOverflowError);
    }

    private static String oneLine(String m) {
        return m == null ? "" : m.replace('\n', ' ').replace('\r', ' ');
    }
}

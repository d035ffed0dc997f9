package org.clipwsss.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The project's version: the one {@code <version>} of its pom, written into the jar at build time
 * ({@code org/clipwsss/runtime/version.properties}, a filtered resource). The command line's {@code --version},
 * every {@code run.json}, the Fiji log and the installed plugin jar's name all show this one value.
 */
public final class Version {
    private static final String RESOURCE = "/org/clipwsss/runtime/version.properties";
    private static final String VERSION = read();

    private Version() {
    }

    /** The version, e.g. {@code 0.1.0}. */
    public static String get() {
        return VERSION;
    }

    /** "clip-wsss VERSION", as logs and reports name the software. */
    public static String line() {
        return "clip-wsss " + VERSION;
    }

    private static String read() {
        try (InputStream in = Version.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing " + RESOURCE + " (the build writes it from the pom's version)");
            }
            Properties p = new Properties();
            p.load(in);
            String v = p.getProperty("version", "");
            if (v.isBlank() || v.contains("${")) {
                throw new IllegalStateException(RESOURCE + " holds no version (" + v + "): the resource was not filtered");
            }
            return v.trim();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
    }
}

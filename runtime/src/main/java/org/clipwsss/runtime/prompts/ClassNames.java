package org.clipwsss.runtime.prompts;

import java.util.Locale;
import java.util.regex.Pattern;

/** How class names given by users are compared: case, spaces and underscores do not count. */
final class ClassNames {
    private static final Pattern IGNORED = Pattern.compile("[\\s_]+");

    private ClassNames() {
    }

    /** "Dining Table", "dining_table", "diningtable" -> "diningtable". */
    static String key(String className) {
        return IGNORED.matcher(className).replaceAll("").toLowerCase(Locale.ROOT);
    }
}

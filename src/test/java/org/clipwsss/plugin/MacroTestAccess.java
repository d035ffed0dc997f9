package org.clipwsss.plugin;

import java.util.Map;

/** {@link Ij1Macros} for tests in other packages. */
public final class MacroTestAccess {
    private MacroTestAccess() {
    }

    public static Map<String, String> setUp() throws Exception {
        return Ij1Macros.setUp();
    }

    public static String logOf(Runnable work) {
        return Ij1Macros.logOf(work);
    }
}

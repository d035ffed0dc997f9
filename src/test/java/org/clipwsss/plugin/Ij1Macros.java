package org.clipwsss.plugin;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The real ImageJ1 macro interpreter, headless, as Fiji runs it: ij1-patcher's headless patches, ImageJ's
 * menus, and the commands our plugins.config registers (read from the jar's resource, as ImageJ would).
 */
final class Ij1Macros {
    private static boolean ready;

    private Ij1Macros() {
    }

    static synchronized Map<String, String> setUp() throws Exception {
        if (!ready) {
            if (ij.Menus.getCommands() == null) {
                var c = ij.Menus.class.getDeclaredConstructor(ij.ImageJ.class, java.applet.Applet.class);
                c.setAccessible(true);
                Object menus = c.newInstance(null, null);
                var m = ij.Menus.class.getDeclaredMethod("addMenuBar");
                m.setAccessible(true);
                m.invoke(menus);
            }
            ready = true;
        }
        Map<String, String> commands = pluginsConfig();
        ij.Menus.getCommands().putAll(commands);
        return commands;
    }

    /**
     * Runs ImageJ1 work and returns what it logged: headless, IJ.log writes to standard output (there is no Log
     * window), so standard output is captured while it runs.
     */
    static String logOf(Runnable work) {
        java.io.PrintStream saved = System.out;
        java.io.ByteArrayOutputStream buffer = new java.io.ByteArrayOutputStream();
        System.setOut(new java.io.PrintStream(buffer, true, StandardCharsets.UTF_8));
        try {
            work.run();
        } finally {
            System.setOut(saved);
        }
        String log = buffer.toString(StandardCharsets.UTF_8);
        saved.print(log);
        return log;
    }

    /** command -> class from plugins.config */
    static Map<String, String> pluginsConfig() throws Exception {
        Pattern line = Pattern.compile("^([^#][^,]*),\\s*\"([^\"]+)\",\\s*(\\S+)\\s*$");
        Map<String, String> out = new LinkedHashMap<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
                Ij1Macros.class.getResourceAsStream("/plugins.config"), StandardCharsets.UTF_8))) {
            String l;
            while ((l = r.readLine()) != null) {
                Matcher m = line.matcher(l);
                if (m.matches()) {
                    out.put(m.group(2), m.group(3));
                }
            }
        }
        return out;
    }
}

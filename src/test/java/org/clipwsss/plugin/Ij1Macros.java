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
            net.imagej.patcher.LegacyInjector.preinit();
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

package org.clipwsss.plugin.ij1;

import ij.IJ;
import ij.Macro;
import ij.gui.GenericDialog;
import java.util.LinkedHashMap;
import java.util.Map;
import org.clipwsss.runtime.Failures;

/**
 * The ImageJ1 side of a macro command: a GenericDialog whose field labels are the (lower-case) macro keys, so
 * the same fields are shown interactively, read from {@code Macro.getOptions()} in macros and written by the
 * Macro Recorder; and one way to report errors: a single clear line in the log (and a dialog when there is a
 * screen), then the macro is aborted.
 */
final class Ij1Dialog {
    private final GenericDialog gd;
    private final Map<String, Boolean> fields = new LinkedHashMap<>();

    Ij1Dialog(String title) {
        gd = new GenericDialog(title);
    }

    Ij1Dialog text(String key, String value) {
        gd.addStringField(key, value, 30);
        fields.put(key, false);
        return this;
    }

    Ij1Dialog texts(Map<String, String> defaults) {
        defaults.forEach(this::text);
        return this;
    }

    Ij1Dialog flag(String key, boolean value) {
        gd.addCheckbox(key, value);
        fields.put(key, true);
        return this;
    }

    /** The values by key, or null when the user cancelled. */
    Map<String, String> ask() {
        gd.showDialog();
        if (gd.wasCanceled()) {
            return null;
        }
        Map<String, String> out = new LinkedHashMap<>();
        fields.forEach((key, isFlag) -> out.put(key, isFlag ? Boolean.toString(gd.getNextBoolean()) : gd.getNextString().trim()));
        return out;
    }

    /**
     * Logs the command's name and the plugin's version, then runs the command's work; any failure (an exception or an {@link Error}, e.g. a native library that does not
     * load) becomes one error line in the log and aborts the macro, so a macro never goes on after a failed step.
     * A dialog naming the cause is shown only to a person at the screen: not headless, not in batch mode
     * ({@code -batch}, {@code setBatchMode}), not inside a macro.
     */
    static void guard(String command, Runnable work) {
        logVersion("CLIP WSSS " + command + " (" + org.clipwsss.runtime.Version.line() + ")");
        try {
            work.run();
        } catch (Throwable e) { // NOPMD: whatever it is, it is reported and the macro stops
            String message = Failures.describe(e);
            IJ.log("CLIP WSSS " + command + ": " + message);
            if (IJ.debugMode) {
                java.io.StringWriter trace = new java.io.StringWriter();
                e.printStackTrace(new java.io.PrintWriter(trace));
                IJ.log(trace.toString());
            }
            if (aPersonIsWatching()) {
                IJ.error("CLIP WSSS " + command, message);
            }
            ij.macro.Interpreter macro = ij.macro.Interpreter.getInstance();
            if (macro != null) {
                macro.abortMacro();
            }
        }
    }

    /**
     * The command's version line: to ImageJ's log in batch mode, headless or when the Log window is open already; else
     * to the console (Fiji's Console window), so that a command does not open the Log window just to say it started.
     */
    static void logVersion(String line) {
        boolean window = !java.awt.GraphicsEnvironment.isHeadless() && IJ.getInstance() != null && !ij.macro.Interpreter.isBatchMode();
        if (!window || ij.WindowManager.getWindow("Log") != null) {
            IJ.log(line);
        } else {
            System.out.println(line);
        }
    }

    static boolean aPersonIsWatching() {
        return !java.awt.GraphicsEnvironment.isHeadless() && IJ.getInstance() != null && Macro.getOptions() == null
                && !ij.macro.Interpreter.isBatchMode() && ij.macro.Interpreter.getInstance() == null;
    }
}

package org.clipwsss.plugin.ij1;

import ij.IJ;
import ij.Macro;
import ij.gui.GenericDialog;
import java.util.LinkedHashMap;
import java.util.Map;
import org.clipwsss.runtime.ClipWsssException;

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

    /** Runs the command's work; a ClipWsssException becomes one error line and aborts the macro. */
    static void guard(String command, Runnable work) {
        try {
            work.run();
        } catch (ClipWsssException e) {
            String line = "CLIP WSSS " + command + ": " + e.getMessage();
            IJ.log(line);
            if (!java.awt.GraphicsEnvironment.isHeadless() && Macro.getOptions() == null) {
                IJ.error("CLIP WSSS " + command, e.getMessage());
            }
            ij.macro.Interpreter macro = ij.macro.Interpreter.getInstance();
            if (macro != null) {
                macro.abortMacro();
            }
        }
    }
}

package org.clipwsss.plugin.commands;

import java.util.LinkedHashMap;
import java.util.Map;
import org.clipwsss.plugin.Options;
import org.clipwsss.runtime.Failures;
import org.scijava.command.ContextCommand;
import org.scijava.log.LogService;
import org.scijava.ui.DialogPrompt;
import org.scijava.ui.UIService;

/** What every CLIP WSSS command does the same way: run the work, and report a failure as one clear message. */
final class CommandSupport {
    static final String VOC_HINT = "e.g. cat;dog (PASCAL VOC: aeroplane bicycle bird boat bottle bus car cat chair cow "
            + "diningtable dog horse motorbike person pottedplant sheep sofa train tvmonitor)";

    private CommandSupport() {
    }

    /**
     * Logs the command's name and the plugin's version, then runs {@code work}; any failure (an exception, or an {@link Error} such as a native library that does not
     * load) is logged as one line naming its cause, shown in a dialog when there is a GUI and no macro or batch
     * mode, and cancels the command (which stops a macro that called it).
     */
    static void guard(ContextCommand command, String name, LogService log, UIService ui, Runnable work) {
        log.info("CLIP WSSS " + name + " (" + org.clipwsss.runtime.Version.line() + ")");
        try {
            work.run();
        } catch (Throwable e) { // NOPMD: whatever it is, it is reported and the command is cancelled
            String message = Failures.describe(e);
            String line = "CLIP WSSS " + name + ": " + message;
            log.error(line);
            if (ui != null && !ui.isHeadless() && ij.Macro.getOptions() == null && !ij.macro.Interpreter.isBatchMode()) {
                ui.showDialog(message, "CLIP WSSS " + name, DialogPrompt.MessageType.ERROR_MESSAGE);
            }
            command.cancel(line);
        }
    }

    /** The pipeline options a dialog sets, as macro-style options for the scripting facade. */
    static String options(String model, String method, String synonyms, String background, Map<String, String> more) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("model", model);
        m.put("method", method);
        m.put("synonyms", synonyms);
        m.put("background", background);
        m.putAll(more);
        StringBuilder sb = new StringBuilder();
        m.forEach((k, v) -> {
            if (v != null && !v.isBlank()) {
                if (!Options.PIPELINE_KEYS.containsKey(k) && !k.equals("classes") && !k.equals("overwrite")) {
                    throw new IllegalArgumentException(k);
                }
                sb.append(k).append("=[").append(v).append("] ");
            }
        });
        return sb.toString();
    }

    static String checkLabels(String labels) {
        return labels == null || labels.isBlank() ? "Give at least one label, " + VOC_HINT : null;
    }
}

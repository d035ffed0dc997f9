package org.clipwsss.plugin.commands;

import java.util.LinkedHashMap;
import java.util.Map;
import org.clipwsss.plugin.Options;
import org.clipwsss.runtime.ClipWsssException;
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

    /** Runs {@code work}; a ClipWsssException is logged as one line, shown in a dialog with a GUI, and cancels. */
    static void guard(ContextCommand command, String name, LogService log, UIService ui, Runnable work) {
        try {
            work.run();
        } catch (ClipWsssException e) {
            String line = "CLIP WSSS " + name + ": " + e.getMessage();
            log.error(line);
            if (ui != null && !ui.isHeadless()) {
                ui.showDialog(e.getMessage(), "CLIP WSSS " + name, DialogPrompt.MessageType.ERROR_MESSAGE);
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

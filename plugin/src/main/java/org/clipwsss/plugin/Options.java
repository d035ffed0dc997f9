package org.clipwsss.plugin;

import ij.Macro;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.clipwsss.runtime.ClipWsssException;
import org.clipwsss.runtime.pipeline.PipelineSettings;

/**
 * The pipeline options as macro keys (lower-case, as ImageJ macros need), shared by the macro commands, the
 * scripting facade and the Fiji commands: {@code model method cam_model synonyms synonym_mode background
 * template selection_template logit_scale refine bg_threshold bg_power ignore_margin input_size adapters affinity}.
 */
public final class Options {
    /** The keys, in dialog order, with their defaults. */
    public static final Map<String, String> PIPELINE_KEYS = defaults();

    private final Map<String, String> values;

    private Options(Map<String, String> values) {
        this.values = values;
    }

    private static Map<String, String> defaults() {
        PipelineSettings d = PipelineSettings.defaults();
        Map<String, String> m = new LinkedHashMap<>();
        m.put("model", "");
        m.put("method", d.method());
        m.put("cam_model", "");
        m.put("synonyms", PipelineSettings.AUTO);
        m.put("synonym_mode", d.synonymMode());
        m.put("background", d.background());
        m.put("template", d.camTemplate());
        m.put("selection_template", d.selectionTemplate());
        m.put("logit_scale", fmt(d.logitScale()));
        m.put("refine", PipelineSettings.AUTO);
        m.put("bg_threshold", "");
        m.put("bg_power", fmt(d.bgPower()));
        m.put("ignore_margin", fmt(d.ignoreMargin()));
        m.put("input_size", Integer.toString(d.inputSize()));
        m.put("adapters", "");
        m.put("affinity", PipelineSettings.AUTO);
        m.put("grid", "image");
        m.put("crf", "off");
        m.put("grid_budget", Integer.toString(d.gridBudget()));
        return java.util.Collections.unmodifiableMap(m);
    }

    private static String fmt(float f) {
        return f == (long) f ? Long.toString((long) f) : Float.toString(f);
    }

    /** From a macro-style string {@code "key=value key2=[with spaces]"}; unknown keys are errors. */
    public static Options parse(String options, List<String> otherKeys) {
        Map<String, String> m = new LinkedHashMap<>();
        String text = options == null ? "" : options.trim() + " ";
        for (String token : keysIn(text)) {
            if (!PIPELINE_KEYS.containsKey(token) && !otherKeys.contains(token)) {
                throw new ClipWsssException("unknown option '" + token + "' (known: "
                        + String.join(", ", PIPELINE_KEYS.keySet()) + (otherKeys.isEmpty() ? "" : ", " + String.join(", ", otherKeys)) + ")");
            }
            m.put(token, Macro.getValue(text, token, ""));
        }
        return new Options(m);
    }

    /** From values already split by key (a dialog's fields). */
    public static Options of(Map<String, String> values) {
        return new Options(new LinkedHashMap<>(values));
    }

    private static List<String> keysIn(String text) {
        List<String> keys = new java.util.ArrayList<>();
        int i = 0;
        while (i < text.length()) {
            while (i < text.length() && text.charAt(i) == ' ') {
                i++;
            }
            int start = i;
            while (i < text.length() && text.charAt(i) != '=' && text.charAt(i) != ' ') {
                i++;
            }
            if (i > start) {
                keys.add(text.substring(start, i).toLowerCase(java.util.Locale.ROOT));
            }
            if (i < text.length() && text.charAt(i) == '=') {
                i++;
                if (i < text.length() && text.charAt(i) == '[') {
                    int close = text.indexOf(']', i);
                    i = close < 0 ? text.length() : close + 1;
                } else {
                    while (i < text.length() && text.charAt(i) != ' ') {
                        i++;
                    }
                }
            }
        }
        return keys;
    }

    public String get(String key) {
        String v = values.get(key);
        return v == null || v.isEmpty() ? PIPELINE_KEYS.getOrDefault(key, "") : v;
    }

    /** A required option (a clear error names it when missing). */
    public String require(String key) {
        String v = values.get(key);
        if (v == null || v.isBlank()) {
            throw new ClipWsssException("missing option '" + key + "='");
        }
        return v.trim();
    }

    public String model() {
        return get("model");
    }

    public PipelineSettings pipeline() {
        String bgThreshold = get("bg_threshold");
        return new PipelineSettings(get("method"), get("cam_model").isBlank() ? null : Path.of(get("cam_model")),
                PipelineSettings.synonymsFor(get("method"), get("synonyms")), get("synonym_mode"), get("background"), get("template"),
                get("selection_template"), number("logit_scale"),
                PipelineSettings.refineFor(get("method"), get("refine").trim().equals(PipelineSettings.AUTO) ? null : number("refine")),
                bgThreshold.isBlank() ? -1f : number("bg_threshold"), number("bg_power"), number("ignore_margin"), (int) number("input_size"),
                1.0 / 3, 4, get("adapters").isBlank() ? null : Path.of(get("adapters")), PipelineSettings.affinityFor(get("method"), onOff("affinity")),
                switch (get("grid").trim()) {
                    case "image" -> (int) number("grid_budget");
                    case "window" -> 0;
                    default -> throw new ClipWsssException("option 'grid' must be image or window, not '" + get("grid") + "'");
                }, Boolean.TRUE.equals(onOff("crf")));
    }

    /** A whole number option (a clear error names it otherwise). */
    public long whole(String key) {
        String v = get(key).trim();
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new ClipWsssException("option '" + key + "' must be a whole number, not '" + v + "'");
        }
    }

    /** true/on, false/off, or null for auto (the method's choice); anything else is an error naming the key. */
    private Boolean onOff(String key) {
        String v = get(key).trim().toLowerCase(java.util.Locale.ROOT);
        return switch (v) {
            case "auto" -> null;
            case "true", "on", "yes" -> Boolean.TRUE;
            case "false", "off", "no" -> Boolean.FALSE;
            default -> throw new ClipWsssException("option '" + key + "' must be auto, on or off, not '" + v + "'");
        };
    }

    private float number(String key) {
        String v = get(key).trim();
        try {
            return Float.parseFloat(v);
        } catch (NumberFormatException e) {
            throw new ClipWsssException("option '" + key + "' must be a number, not '" + v + "'");
        }
    }
}

package org.clipwsss.runtime.prompts;

import org.clipwsss.runtime.ClipWsssException;

/** Prompt templates: {@code {}} stands for the class name (or synonym, or background word). */
public final class Templates {
    /** POLE's training template. */
    public static final String POLE = "a photo of {}.";
    /** CLIP-ES's template, for class names and background words alike. */
    public static final String CLIP_ES = "a clean origami {}.";

    private static final String SLOT = "{}";

    private Templates() {
    }

    /**
     * The prompt for {@code name}: every {@code {}} in the template replaced by it.
     *
     * @throws ClipWsssException if the template has no {@code {}}
     */
    public static String apply(String template, String name) {
        if (!template.contains(SLOT)) {
            throw new ClipWsssException("prompt template '" + template + "' has no {} where the class name goes");
        }
        return template.replace(SLOT, name);
    }
}

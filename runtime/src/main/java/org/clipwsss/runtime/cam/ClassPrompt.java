package org.clipwsss.runtime.cam;

/** A class of an image (its label) and the name to put in the prompt for it (the label or a synonym). */
public record ClassPrompt(String label, String name) {
    public static ClassPrompt of(String label) {
        return new ClassPrompt(label, label);
    }
}

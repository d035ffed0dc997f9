package org.clipwsss.runtime.clip;

import java.util.Locale;
import org.clipwsss.runtime.ClipWsssException;

/** Where the encoder graphs come from: a folder's exported ONNX files or graphs built from its safetensors. */
public enum GraphSource {
    /** ONNX exports when the folder has both, else graphs built from model.safetensors. */
    AUTO,
    ONNX,
    SAFETENSORS;

    public static GraphSource parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ClipWsssException("unknown graph source '" + text + "' (use auto, onnx or safetensors)");
        }
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}

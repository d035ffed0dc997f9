package org.clipwsss.runtime.session;

import java.util.Locale;
import org.clipwsss.runtime.ClipWsssException;

/** Where ONNX Runtime runs the graphs. AUTO picks CUDA when the ONNX Runtime build offers it, else CPU. */
public enum Device {
    AUTO, CPU, CUDA;

    public static Device parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ClipWsssException("unknown device '" + text + "' (use auto, cpu or cuda)");
        }
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}

package org.clipwsss.runtime.clip;

import java.nio.file.Path;
import org.clipwsss.runtime.io.SafetensorsFile;
import org.clipwsss.runtime.model.Weights;

/** {@link Weights} read from a safetensors checkpoint. */
public final class SafetensorsWeights implements Weights {
    private final SafetensorsFile file;

    public SafetensorsWeights(SafetensorsFile file) {
        this.file = file;
    }

    @Override
    public Path source() {
        return file.path();
    }

    @Override
    public boolean contains(String name) {
        return file.contains(name);
    }

    @Override
    public long[] shape(String name) {
        return file.shape(name);
    }

    @Override
    public float[] floats(String name) {
        return file.readFloats(name);
    }
}

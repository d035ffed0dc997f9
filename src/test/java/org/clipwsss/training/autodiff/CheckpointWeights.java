package org.clipwsss.training.autodiff;

import java.nio.file.Path;
import org.clipwsss.runtime.io.SafetensorsFile;
import org.clipwsss.runtime.model.Weights;

/** {@link Weights} over an open safetensors file (the runtime's own adapter is package-private). */
record CheckpointWeights(SafetensorsFile file) implements Weights {
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

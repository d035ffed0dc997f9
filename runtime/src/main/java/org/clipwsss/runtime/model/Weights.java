package org.clipwsss.runtime.model;

import java.nio.file.Path;

/** Named float tensors a graph builder reads weights from (a safetensors checkpoint, or a test double). */
public interface Weights {
    /** Where the weights come from, for error messages. */
    Path source();

    boolean contains(String name);

    long[] shape(String name);

    float[] floats(String name);
}

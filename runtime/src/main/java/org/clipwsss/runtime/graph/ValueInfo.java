package org.clipwsss.runtime.graph;

import java.util.List;

/**
 * A graph input or output: name, element type and shape. Each dimension is either a number
 * ("77") or a symbolic name ("batch"); {@code dims == null} means rank unknown.
 */
public record ValueInfo(String name, ElemType type, List<String> dims) {
    public ValueInfo {
        dims = dims == null ? null : List.copyOf(dims);
    }

    public static ValueInfo of(String name, ElemType type, Object... dims) {
        return new ValueInfo(name, type, java.util.Arrays.stream(dims).map(String::valueOf).toList());
    }
}

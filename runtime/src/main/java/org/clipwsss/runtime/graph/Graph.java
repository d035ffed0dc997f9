package org.clipwsss.runtime.graph;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The project's small graph representation: ONNX-shaped (named values, operator nodes in topological
 * order, initializers, typed inputs and outputs) so that it can be written as a real {@code .onnx} file,
 * run by ONNX Runtime, and walked backwards to derive gradient graphs.
 */
public record Graph(String name, List<ValueInfo> inputs, List<ValueInfo> outputs, List<Node> nodes,
        Map<String, Initializer> initializers) {
    public Graph {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        nodes = List.copyOf(nodes);
        initializers = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(initializers));
    }
}

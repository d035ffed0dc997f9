package org.clipwsss.runtime.graph;

import java.util.List;
import java.util.Map;

/**
 * One operator application. Inputs and outputs are value names; an empty input name means "omitted
 * optional input", as in ONNX. Attributes keep their insertion order.
 */
public record Node(String name, String op, List<String> inputs, List<String> outputs, Map<String, Attribute> attributes) {
    public Node {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        attributes = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(attributes));
    }

    public String output() {
        if (outputs.size() != 1) {
            throw new IllegalStateException(op + " node " + name + " has " + outputs.size() + " outputs");
        }
        return outputs.get(0);
    }

    public long intAttr(String key, long fallback) {
        Attribute a = attributes.get(key);
        return a instanceof Attribute.Int i ? i.value() : fallback;
    }

    public float floatAttr(String key, float fallback) {
        Attribute a = attributes.get(key);
        return a instanceof Attribute.Float f ? f.value() : fallback;
    }

    public long[] intsAttr(String key) {
        Attribute a = attributes.get(key);
        return a instanceof Attribute.Ints i ? i.values().clone() : null;
    }
}

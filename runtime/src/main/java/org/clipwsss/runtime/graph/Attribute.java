package org.clipwsss.runtime.graph;

/** A node attribute; the record kinds map one to one onto ONNX {@code AttributeProto} types. */
public sealed interface Attribute {
    record Int(long value) implements Attribute { }

    record Float(float value) implements Attribute { }

    record Ints(long... values) implements Attribute { }

    record Floats(float... values) implements Attribute { }

    record Str(String value) implements Attribute { }

    record TensorValue(Initializer tensor) implements Attribute { }

    static Attribute of(Object v) {
        if (v instanceof Attribute a) {
            return a;
        }
        if (v instanceof Integer i) {
            return new Int(i);
        }
        if (v instanceof Long l) {
            return new Int(l);
        }
        if (v instanceof java.lang.Float f) {
            return new Float(f);
        }
        if (v instanceof Double d) {
            return new Float(d.floatValue());
        }
        if (v instanceof long[] l) {
            return new Ints(l);
        }
        if (v instanceof int[] ints) {
            return new Ints(java.util.Arrays.stream(ints).asLongStream().toArray());
        }
        if (v instanceof float[] f) {
            return new Floats(f);
        }
        if (v instanceof String s) {
            return new Str(s);
        }
        if (v instanceof Initializer t) {
            return new TensorValue(t);
        }
        throw new IllegalArgumentException("unsupported attribute value " + v);
    }
}

package org.clipwsss.runtime.clip;

import org.clipwsss.runtime.graph.DynamicQuantization;
import org.clipwsss.runtime.graph.Graph;
import org.clipwsss.runtime.graph.HalfPrecision;
import org.clipwsss.runtime.model.ClipGraphs;

/**
 * The numeric form of the graphs built from {@code model.safetensors} ({@code --variant} with {@code --source
 * safetensors}): float, dynamically int8-quantized weight products, or half precision. Gradient graphs always stay
 * float (a source marks which of its graphs may change form).
 */
public enum BuiltVariant {
    /** float32, as the checkpoint. */
    FLOAT("", null),
    /** Weight MatMuls dynamically quantized to int8 ({@link DynamicQuantization}), the patch embedding kept float. */
    INT8("_quantized", "quantized (dynamic int8, per-channel weights)"),
    /** The whole graph in fp16 ({@link HalfPrecision}), its inputs and outputs float. */
    FP16("_fp16", "fp16 (half-precision weights and arithmetic, float inputs and outputs)");

    private final String suffix;
    private final String description;

    BuiltVariant(String suffix, String description) {
        this.suffix = suffix;
        this.description = description;
    }

    /** The variant {@code --variant} asks of built graphs: quantized -> INT8, fp16 -> FP16, anything else FLOAT. */
    public static BuiltVariant of(String variant) {
        return "quantized".equals(variant) ? INT8 : "fp16".equals(variant) ? FP16 : FLOAT;
    }

    /** What the cached file's name carries after the graph's name ({@code "", "_quantized", "_fp16"}). */
    public String suffix() {
        return suffix;
    }

    /** The graph metadata's description, null for float. */
    String description() {
        return description;
    }

    /**
     * The float graph {@code g} in this form. (A change to {@link DynamicQuantization} or {@link HalfPrecision} must bump
     * {@link BuiltGraphs#BUILDER_VERSION} so cached graphs are rebuilt.)
     */
    public Graph apply(Graph g) {
        return switch (this) {
            case FLOAT -> g;
            case INT8 -> DynamicQuantization.apply(g, ClipGraphs::quantizable);
            case FP16 -> HalfPrecision.apply(g);
        };
    }
}

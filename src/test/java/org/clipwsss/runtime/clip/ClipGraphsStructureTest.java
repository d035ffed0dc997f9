package org.clipwsss.runtime.clip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.clipwsss.Fixtures;
import org.clipwsss.runtime.graph.Graph;
import org.clipwsss.runtime.graph.ValueInfo;
import org.clipwsss.runtime.io.SafetensorsFile;
import org.clipwsss.runtime.model.ClipConfig;
import org.clipwsss.runtime.model.ClipGraphs;
import org.junit.jupiter.api.Test;

/** What the training module relies on: weights keep their Hugging Face names; signatures are as documented. */
class ClipGraphsStructureTest {
    @Test
    void weightsKeepTheirCheckpointNamesAndSignaturesMatchTheExports() {
        ClipConfig cfg = ClipConfig.load(Fixtures.CLIP_TINY.resolve("config.json"));
        try (SafetensorsFile st = SafetensorsFile.open(Fixtures.CLIP_TINY.resolve("model.safetensors"))) {
            Set<String> used = new TreeSet<>();
            for (ClipGraphs.Kind kind : ClipGraphs.Kind.values()) {
                Graph g = ClipGraphs.build(kind, cfg, new SafetensorsWeights(st));
                g.initializers().keySet().stream().filter(st::contains).forEach(used::add);
                switch (kind) {
                    case VISION -> {
                        assertEquals(List.of("pixel_values"), names(g.inputs()));
                        assertEquals(List.of("last_hidden_state", "image_embeds"), names(g.outputs()));
                    }
                    case TEXT -> {
                        assertEquals(List.of("input_ids", "attention_mask"), names(g.inputs()));
                        assertEquals(List.of("last_hidden_state", "text_embeds"), names(g.outputs()));
                    }
                    case TEXT_FROM_EMBEDS -> assertEquals(List.of("inputs_embeds", "eot_position"), names(g.inputs()));
                    default -> assertEquals(List.of("dense_embeds"), names(g.outputs()));
                }
            }
            Set<String> all = new TreeSet<>(st.names());
            all.remove("logit_scale");
            // every checkpoint tensor is used under its own name by some graph, and nothing else is
            assertEquals(all, used);
            assertTrue(used.contains("vision_model.encoder.layers.1.self_attn.q_proj.weight"));
        }
    }

    private static List<String> names(List<ValueInfo> values) {
        return values.stream().map(ValueInfo::name).toList();
    }
}

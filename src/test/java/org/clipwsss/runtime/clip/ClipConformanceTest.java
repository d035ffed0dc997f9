package org.clipwsss.runtime.clip;

import static org.clipwsss.Fixtures.assertClose;
import static org.clipwsss.Fixtures.reference;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.stream.Stream;
import org.clipwsss.Fixtures;
import org.clipwsss.runtime.io.NpyArray;
import org.clipwsss.runtime.session.Device;
import org.clipwsss.runtime.session.SessionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Both graph sources reproduce the PyTorch reference outputs of ../shared/conformance for clip-tiny and
 * clip-odd to 1e-4.
 */
class ClipConformanceTest {
    static final double TOL = 1e-4;
    @TempDir
    static Path cache;
    static SessionFactory sessions;

    @BeforeAll
    static void start() {
        sessions = new SessionFactory(Device.CPU, 2);
    }

    @AfterAll
    static void stop() {
        sessions.close();
    }

    static Stream<Arguments> models() {
        return Stream.of(Arguments.of("clip-tiny", GraphSource.ONNX), Arguments.of("clip-tiny", GraphSource.SAFETENSORS),
                Arguments.of("clip-odd", GraphSource.ONNX), Arguments.of("clip-odd", GraphSource.SAFETENSORS));
    }

    static Stream<String> names() {
        return Stream.of("clip-tiny", "clip-odd");
    }

    private static ClipModel open(String name, GraphSource source) {
        ClipModel m = ClipModel.open(Fixtures.model(name), ClipModel.Options.defaults().withSource(source)
                .withSessions(sessions).withCacheRoot(cache));
        assertEquals(source, m.source());
        return m;
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("models")
    void imageTower(String name, GraphSource source) {
        try (ClipModel m = open(name, source)) {
            ClipModel.ImageOutputs out = m.encodeImages(reference(name, "pixel_values"));
            assertClose(reference(name, "image_embeds"), out.imageEmbeds(), TOL, name + " image_embeds");
            assertClose(reference(name, "image_last_hidden_state"), out.lastHiddenState(), TOL, name + " last_hidden_state");
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("models")
    void textTower(String name, GraphSource source) {
        try (ClipModel m = open(name, source)) {
            NpyArray ids = reference(name, "input_ids");
            NpyArray mask = reference(name, "attention_mask");
            assertClose(reference(name, "text_embeds"), m.textEmbeds(ids, mask), TOL, name + " text_embeds");
            // the mask is derived from the ids when not given
            assertClose(reference(name, "text_embeds"), m.textEmbeds(ids, null), TOL, name + " text_embeds, own mask");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("names")
    void textLastHiddenState(String name) {
        try (ClipModel m = open(name, GraphSource.SAFETENSORS)) {
            var runner = new org.clipwsss.runtime.session.GraphRunner(sessions,
                    m.graphFile(org.clipwsss.runtime.model.ClipGraphs.Kind.TEXT));
            var out = runner.run(java.util.Map.of("input_ids", reference(name, "input_ids"), "attention_mask",
                    reference(name, "attention_mask")), java.util.List.of("last_hidden_state"));
            assertClose(reference(name, "text_last_hidden_state"), out.get("last_hidden_state"), TOL,
                    name + " text last_hidden_state");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("names")
    void textFromInputsEmbeds(String name) {
        try (ClipModel m = open(name, GraphSource.SAFETENSORS)) {
            NpyArray eot = reference(name, "text_eot_position");
            NpyArray out = m.textEmbedsFromInputsEmbeds(reference(name, "text_inputs_embeds"),
                    NpyArray.ofLongs(eot.toLongs(), eot.shape()));
            assertClose(reference(name, "text_embeds"), out, TOL, name + " text_embeds from inputs_embeds");
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("models")
    void denseEmbeddings(String name, GraphSource source) {
        try (ClipModel m = open(name, source)) {
            NpyArray px = reference(name, "pixel_values");
            assertClose(reference(name, "dense_embeds_maskclip"), m.denseEmbeds(px, ClipModel.Dense.MASKCLIP), TOL,
                    name + " maskclip");
            assertClose(reference(name, "dense_embeds_clearclip"), m.denseEmbeds(px, ClipModel.Dense.CLEARCLIP), TOL,
                    name + " clearclip");
        }
    }
}

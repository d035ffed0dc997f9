package org.clipwsss.runtime.clip;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.clipwsss.Fixtures;
import org.clipwsss.runtime.io.NpyArray;
import org.clipwsss.runtime.session.Device;
import org.clipwsss.runtime.session.SessionFactory;
import org.clipwsss.runtime.text.ClipTokenizer;
import org.clipwsss.runtime.text.Tokens;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The text tower run at the prompts' real length (the longest prompt's tokens) equals the run over all 77
 * positions: under the causal mask the pooled end token never sees the padding. Both graph sources, two models.
 */
class PromptLengthTest {
    static final List<String> PROMPTS = List.of("a clean origami cat.", "a photo of a person with clothes,people,human.",
            "a", "a clean origami tvmonitor screen.");

    @Test
    void theRealLengthGivesTheSameEmbeddingsAsSeventySevenPositions(@TempDir Path cache) {
        try (SessionFactory sessions = new SessionFactory(Device.CPU, 2)) {
            for (Path folder : List.of(Fixtures.CLIP_TINY, Fixtures.CLIP_ODD)) {
                for (GraphSource source : GraphSource.values()) {
                    if (source == GraphSource.AUTO) {
                        continue;
                    }
                    try (ClipModel m = ClipModel.open(folder, ClipModel.Options.defaults().withSessions(sessions).withCacheRoot(cache)
                            .withSource(source))) {
                        float[] trimmed = m.textEmbeds(PROMPTS).floats();
                        List<Tokens> tokens = m.tokenizer().encode(PROMPTS);
                        int l = ClipTokenizer.CONTEXT_LENGTH;
                        long[] ids = new long[PROMPTS.size() * l];
                        long[] mask = new long[ids.length];
                        for (int i = 0; i < tokens.size(); i++) {
                            System.arraycopy(tokens.get(i).inputIds(), 0, ids, i * l, l);
                            System.arraycopy(tokens.get(i).attentionMask(), 0, mask, i * l, l);
                        }
                        float[] full = m.textEmbeds(NpyArray.ofLongs(ids, PROMPTS.size(), l), NpyArray.ofLongs(mask, PROMPTS.size(), l)).floats();
                        double worst = 0;
                        for (int i = 0; i < full.length; i++) {
                            worst = Math.max(worst, Math.abs(full[i] - trimmed[i]));
                        }
                        System.out.printf("%s %s: max |diff| %.2e%n", folder.getFileName(), source, worst);
                        assertTrue(worst <= 1e-5, folder + " " + source + ": " + worst);
                    }
                }
            }
        }
    }
}

package org.clipwsss.runtime.prompts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.clipwsss.runtime.ClipWsssException;
import org.junit.jupiter.api.Test;

class TemplatesTest {
    @Test
    void constantsAreTheOnesInTheBundledFiles() {
        assertEquals(PromptFiles.resource("clip-es-class-names.json").get("template").asText(), Templates.CLIP_ES);
        assertEquals(PromptFiles.resource("background-words.json").get("clip_es_template").asText(), Templates.CLIP_ES);
        assertEquals(PromptFiles.resource("pole-synonyms-voc.json").get("template").asText(), Templates.POLE);
    }

    @Test
    void applyFillsTheSlot() {
        assertEquals("a photo of dining table.", Templates.apply(Templates.POLE, "dining table"));
        assertEquals("a clean origami person with clothes,people,human.",
                Templates.apply(Templates.CLIP_ES, "person with clothes,people,human"));
        ClipWsssException e = assertThrows(ClipWsssException.class, () -> Templates.apply("a photo of", "cat"));
        assertEquals("prompt template 'a photo of' has no {} where the class name goes", e.getMessage());
    }
}

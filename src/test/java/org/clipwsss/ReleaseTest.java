package org.clipwsss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.clipwsss.runtime.Version;
import org.junit.jupiter.api.Test;

/**
 * One version, the pom's: {@link Version}, {@code clip-wsss --version}, CITATION.cff and the changelog agree with it;
 * the licence, the notices and the citation file are there.
 */
class ReleaseTest {
    static final Path ROOT = Path.of("").toAbsolutePath();

    static String pomVersion() throws Exception {
        String pom = Files.readString(ROOT.resolve("pom.xml"));
        // the project's own <version>: the first one after its <artifactId>clip-wsss</artifactId>
        Matcher m = Pattern.compile("<artifactId>clip-wsss</artifactId>\\s*<version>([^<]+)</version>").matcher(pom);
        assertTrue(m.find(), "pom.xml has the project's version");
        return m.group(1);
    }

    @Test
    void theVersionIsThePomsEverywhere() throws Exception {
        String version = pomVersion();
        assertEquals(version, Version.get());
        StringWriter out = new StringWriter();
        assertEquals(0, org.clipwsss.cli.Main.run(new String[] {"--version"}, new PrintWriter(out, true), new PrintWriter(new StringWriter(), true)));
        assertTrue(out.toString().startsWith("clip-wsss " + version + "\n"), out.toString());
        assertTrue(out.toString().contains("ONNX Runtime (Java) 1."), out.toString());
        assertTrue(out.toString().contains("ONNX Runtime telemetry: "), out.toString());

        String cff = Files.readString(ROOT.resolve("CITATION.cff"));
        assertTrue(cff.contains("\nversion: \"" + version + "\"\n"), "CITATION.cff names version " + version);
        assertTrue(Files.readString(ROOT.resolve("CHANGELOG.md")).contains("\n## [" + version + "]"), "CHANGELOG.md has a section for " + version);
    }

    @Test
    void licenceNoticesAndCitationAreThere() throws Exception {
        assertTrue(Files.readString(ROOT.resolve("LICENSE")).startsWith("BSD 2-Clause License"));
        String notices = Files.readString(ROOT.resolve("THIRD-PARTY.md"));
        for (String data : new String[] {"bpe_simple_vocab_16e6.txt.gz", "pole-synonyms-voc.json", "background-words.json",
            "clip-es-class-names.json", "PASCAL VOC", "onnx-models/clip-tiny"}) {
            assertTrue(notices.contains(data), "THIRD-PARTY.md covers " + data);
        }
        String readme = Files.readString(ROOT.resolve("README.md"));
        assertTrue(readme.contains("## Methods and how to cite them"), "README section");
        for (String method : new String[] {"POLE", "SemPLeS", "CLIP-ES", "CLIMS", "MaskCLIP", "ClearCLIP", "CLIP"}) {
            assertTrue(Files.readString(ROOT.resolve("CITATION.cff")).contains(method), "CITATION.cff cites " + method);
        }
    }
}

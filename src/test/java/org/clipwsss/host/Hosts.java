package org.clipwsss.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import java.util.zip.DeflaterOutputStream;

/**
 * Real hosts for the installed plugin: a plain ImageJ 1.x folder and a Fiji-style folder, built from the jars
 * Maven resolved into target/hosts/jars (ImageJ, and what Fiji ships at pom-scijava's versions), the plugin put
 * in by the project's own installer, and ImageJ run in its own JVM with a time limit.
 */
final class Hosts {
    static final Path ROOT = Path.of("").toAbsolutePath();
    static final Path JARS = Path.of(System.getProperty("hosts.jars", "target/hosts/jars")).toAbsolutePath();
    static final Path SCREENSHOTS = ROOT.resolve("target/hosts/screenshots");
    static final Path VOC = ROOT.resolve("src/test/resources/voc-sample");
    static final String TINY = ROOT.resolve("onnx-models/clip-tiny").toString();
    static final Duration LIMIT = Duration.ofSeconds(240);

    private Hosts() {
    }

    /** The standard ImageJ download's layout: ij.jar at the top, an empty plugins/ folder. */
    static Path plainImageJ(Path dir) throws IOException {
        Files.createDirectories(dir.resolve("plugins"));
        Files.copy(jar("ij-"), dir.resolve("ij.jar"));
        return dir;
    }

    /** A Fiji.app's layout: jars/ with what Fiji ships (target/hosts/jars), an empty plugins/ folder. */
    static Path fijiApp(Path dir) throws IOException {
        Files.createDirectories(dir.resolve("plugins"));
        Files.createDirectories(dir.resolve("jars"));
        for (Path j : fijiJars()) {
            Files.copy(j, dir.resolve("jars").resolve(j.getFileName()));
        }
        return dir;
    }

    static List<Path> fijiJars() throws IOException {
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(JARS, "*.jar")) {
            s.forEach(out::add);
        }
        out.sort(null);
        assertTrue(out.size() >= 10, "target/hosts/jars is filled by Maven (pre-integration-test): " + out);
        return out;
    }

    static Path jar(String prefix) throws IOException {
        return fijiJars().stream().filter(p -> p.getFileName().toString().startsWith(prefix)
                && Character.isDigit(p.getFileName().toString().charAt(prefix.length()))).findFirst().orElseThrow();
    }

    /** Runs bin/install-fiji on the host folder; returns what it printed. */
    static String install(Path host) throws Exception {
        Run r = run(List.of("bash", ROOT.resolve("bin/install-fiji").toString(), host.toString()), ROOT, Map.of(),
                Duration.ofMinutes(5), null);
        assertEquals(0, r.exit(), r.output());
        return r.output();
    }

    record Run(int exit, String output, boolean timedOut) { }

    /**
     * Runs a command with a time limit; standard output and error together. On timeout the screen (when
     * {@code xvfb} is given) is saved to target/hosts/screenshots/{shot}.png before the process is killed.
     */
    static Run run(List<String> command, Path dir, Map<String, String> env, Duration limit, Xvfb xvfb, String shot)
            throws Exception {
        Path log = Files.createTempFile("host-run", ".log");
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        pb.environment().putAll(env);
        if (xvfb != null) {
            pb.environment().put("DISPLAY", xvfb.display());
        }
        Process p = pb.start();
        boolean finished = p.waitFor(limit.toSeconds(), TimeUnit.SECONDS);
        if (!finished) {
            if (xvfb != null) {
                xvfb.screenshot(SCREENSHOTS.resolve(shot + ".png"));
            }
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly().waitFor();
        }
        String out = Files.readString(log, StandardCharsets.UTF_8);
        Files.delete(log);
        System.out.print(out);
        return new Run(finished ? p.exitValue() : -1, out, !finished);
    }

    static Run run(List<String> command, Path dir, Map<String, String> env, Duration limit, Xvfb xvfb) throws Exception {
        return run(command, dir, env, limit, xvfb, "timeout");
    }

    /** Nothing in the log looks like a stack trace or an uncaught exception. */
    static void assertNoStackTrace(String log) {
        for (String line : log.split("\n")) {
            assertFalse(line.startsWith("\tat ") || line.contains("Exception in thread") || line.startsWith("Caused by:"),
                    "a stack trace reached the log: " + line + "\n" + log);
        }
    }

    /**
     * The sample's three photos, a PNG that declares 20000x20000 pixels in a few bytes (decoding it needs 1.2 GB:
     * with the pixel limit raised past the heap (max_pixels), an OutOfMemoryError inside one image under a small
     * heap) and labels.csv for all four.
     */
    static Path inputFolder(Path tmp) throws IOException {
        Path in = tmp.resolve("my images");
        Files.createDirectories(in);
        StringBuilder csv = new StringBuilder("image,labels\n");
        for (String n : new String[] {"2007_000032", "2007_000039", "2007_001763"}) {
            Files.copy(VOC.resolve("JPEGImages/" + n + ".jpg"), in.resolve(n + ".jpg"));
        }
        Files.readString(VOC.resolve("labels.csv")).lines().skip(1).forEach(l -> csv.append(l).append('\n'));
        Files.write(in.resolve("huge.png"), pngDeclaring(20000, 20000));
        csv.append("huge.png,cat\n");
        Files.writeString(tmp.resolve("labels.csv"), csv.toString());
        return in;
    }

    /** A valid PNG signature and header of an 8-bit RGB image of that size, one short data chunk, the end. */
    static byte[] pngDeclaring(int width, int height) throws IOException {
        java.io.ByteArrayOutputStream png = new java.io.ByteArrayOutputStream();
        png.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(width).putInt(height).put((byte) 8).put((byte) 2)
                .put((byte) 0).put((byte) 0).put((byte) 0);
        chunk(png, "IHDR", ihdr.array());
        java.io.ByteArrayOutputStream data = new java.io.ByteArrayOutputStream();
        try (OutputStream z = new DeflaterOutputStream(data)) {
            z.write(new byte[1 + 3 * 64]);
        }
        chunk(png, "IDAT", data.toByteArray());
        chunk(png, "IEND", new byte[0]);
        return png.toByteArray();
    }

    private static void chunk(java.io.ByteArrayOutputStream out, String type, byte[] body) throws IOException {
        out.write(ByteBuffer.allocate(4).putInt(body.length).array());
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        out.write(t);
        out.write(body);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(body);
        out.write(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    /** A virtual X screen (Debian's xvfb), for ImageJ in a real window. */
    static final class Xvfb implements AutoCloseable {
        private final Process process;
        private final int number;

        private Xvfb(Process process, int number) {
            this.process = process;
            this.number = number;
        }

        static boolean available() {
            return onPath("Xvfb");
        }

        static Xvfb start() throws Exception {
            for (int n = 90; n < 140; n++) {
                if (Files.exists(Path.of("/tmp/.X11-unix/X" + n)) || Files.exists(Path.of("/tmp/.X" + n + "-lock"))) {
                    continue;
                }
                Process p = new ProcessBuilder("Xvfb", ":" + n, "-screen", "0", "1280x1024x24", "-nolisten", "tcp")
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                for (int i = 0; i < 100 && p.isAlive(); i++) {
                    if (Files.exists(Path.of("/tmp/.X11-unix/X" + n))) {
                        return new Xvfb(p, n);
                    }
                    Thread.sleep(50);
                }
                p.destroyForcibly();
            }
            throw new IllegalStateException("Xvfb did not start on any display from :90 to :139");
        }

        String display() {
            return ":" + number;
        }

        /** The whole screen as PNG (ImageMagick's import, else xwd and convert). */
        void screenshot(Path png) throws Exception {
            Files.createDirectories(png.getParent());
            List<String> cmd = onPath("import") ? List.of("import", "-display", display(), "-window", "root", png.toString())
                    : List.of("sh", "-c", "xwd -root -display " + display() + " | convert xwd:- '" + png + "'");
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            p.waitFor(30, TimeUnit.SECONDS);
            System.out.println("screenshot of " + display() + ": " + png);
        }

        @Override
        public void close() {
            process.destroy();
        }
    }

    static boolean onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }
}

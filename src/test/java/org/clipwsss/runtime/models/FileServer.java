package org.clipwsss.runtime.models;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A test HTTP server on 127.0.0.1 serving a folder under {@code /files/} with {@code Range: bytes=N-} support
 * (honouring {@code If-Range} against the {@code ETag} and {@code Last-Modified} it sends), redirecting
 * {@code /redirect/X} to {@code /files/X}, and able to break a transfer off on purpose. Tests can add handlers of
 * their own ({@link #handle}). It records every request.
 */
final class FileServer implements AutoCloseable {
    record Request(String path, String range) {
    }

    private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-");

    private final Path root;
    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(4);
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final Map<String, Long> dropAfter = new ConcurrentHashMap<>();
    private final List<String> ifRanges = new CopyOnWriteArrayList<>();
    private volatile boolean ignoreRange;
    private volatile boolean sendETag = true;
    private volatile boolean sendLastModified = true;

    FileServer(Path root) throws IOException {
        this.root = root;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    /** {@code http://127.0.0.1:PORT/} + path. */
    String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/" + path;
    }

    /** The next response for {@code /files/FILE} stops after {@code bytes} bytes and the connection is dropped. */
    void dropOnce(String file, long bytes) {
        dropAfter.put(file, bytes);
    }

    /** Answer Range requests with the whole file (200), as servers without range support do. */
    void ignoreRange(boolean ignore) {
        ignoreRange = ignore;
    }

    /** Which validators {@code /files/} answers carry (both by default). */
    void validators(boolean etag, boolean lastModified) {
        sendETag = etag;
        sendLastModified = lastModified;
    }

    /** Serves paths under {@code prefix} with {@code handler} (its requests are recorded too). */
    void handle(String prefix, HttpHandler handler) {
        server.createContext(prefix, exchange -> {
            record(exchange);
            handler.handle(exchange);
        });
    }

    List<Request> requests() {
        return List.copyOf(requests);
    }

    /** The If-Range header of each request, in the order of {@link #requests()} ("" when there was none). */
    List<String> ifRanges() {
        return List.copyOf(ifRanges);
    }

    /** The ETag {@code /files/} sends for these contents. */
    static String etag(byte[] data) {
        return "\"" + ModelFiles.sha256(data).substring(0, 16) + "\"";
    }

    private synchronized void record(HttpExchange exchange) {
        requests.add(new Request(exchange.getRequestURI().getPath(), exchange.getRequestHeaders().getFirst("Range")));
        String ifRange = exchange.getRequestHeaders().getFirst("If-Range");
        ifRanges.add(ifRange == null ? "" : ifRange);
    }

    private void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        String range = exchange.getRequestHeaders().getFirst("Range");
        String ifRange = exchange.getRequestHeaders().getFirst("If-Range");
        record(exchange);
        try (exchange) {
            if (path.startsWith("/redirect/")) {
                exchange.getResponseHeaders().set("Location", "/files/" + path.substring("/redirect/".length()));
                exchange.sendResponseHeaders(302, -1);
                return;
            }
            String name = path.startsWith("/files/") ? path.substring("/files/".length()) : null;
            Path file = name == null ? null : root.resolve(name).normalize();
            if (file == null || !file.startsWith(root) || !Files.isRegularFile(file)) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            byte[] data = Files.readAllBytes(file);
            String etag = etag(data);
            String lastModified = DateTimeFormatter.RFC_1123_DATE_TIME.format(
                    Files.getLastModifiedTime(file).toInstant().atZone(ZoneOffset.UTC));
            if (sendETag) {
                exchange.getResponseHeaders().set("ETag", etag);
            }
            if (sendLastModified) {
                exchange.getResponseHeaders().set("Last-Modified", lastModified);
            }
            boolean current = ifRange == null || (sendETag && ifRange.equals(etag))
                    || (sendLastModified && ifRange.equals(lastModified));
            int start = 0;
            int status = 200;
            Matcher m = range == null || ignoreRange || !current ? null : RANGE.matcher(range);
            if (m != null && m.matches()) {
                start = Integer.parseInt(m.group(1));
                if (start >= data.length) {
                    exchange.getResponseHeaders().set("Content-Range", "bytes */" + data.length);
                    exchange.sendResponseHeaders(416, -1);
                    return;
                }
                status = 206;
                exchange.getResponseHeaders().set("Content-Range",
                        "bytes " + start + "-" + (data.length - 1) + "/" + data.length);
            }
            exchange.sendResponseHeaders(status, data.length - start);
            OutputStream body = exchange.getResponseBody();
            Long drop = dropAfter.remove(name);
            if (drop != null) {
                body.write(data, start, (int) (drop - start));
                body.flush();
                // closing with bytes missing makes the server drop the connection
                return;
            }
            body.write(data, start, data.length - start);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}

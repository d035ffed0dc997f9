package org.clipwsss.runtime.models;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.UnresolvedAddressException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Flow;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.clipwsss.runtime.ClipWsssException;
import org.clipwsss.runtime.io.AtomicFiles;
import org.clipwsss.runtime.io.IoProblems;

/**
 * Downloads one URL to a file over HTTP(S), through {@code TARGET.part}: a broken download is resumed with a
 * {@code Range} request, the size and SHA-256 are checked when known, and the finished file is renamed onto the
 * target, so the target is either absent or complete.
 *
 * <p>Bounded: at most {@value #MAX_REDIRECTS} redirects are followed (Hugging Face redirects to a CDN); a body is
 * never read past the expected size (the given size, else the server's {@code Content-Length}, else
 * {@link #DEFAULT_MAX_UNKNOWN_SIZE}); connecting, the answer's headers and every wait for more of the body are
 * limited in time.
 *
 * <p>Resuming is verified: when a download starts, the server's {@code ETag} (or {@code Last-Modified}) is kept in
 * {@code TARGET.part.json}, and the resume request sends it as {@code If-Range}, so that a server whose file changed
 * answers with the whole new file, which replaces the {@code .part}. A {@code .part} with no such validator is only
 * resumed when the SHA-256 is known (which then catches a mismatch); otherwise the download starts again.
 *
 * <p>Errors are {@link ClipWsssException}s of one line naming the URL. A transfer that breaks off, stalls or is
 * cancelled keeps the {@code .part} file for the next attempt; a file with the wrong size or checksum, or a body
 * longer than expected, is deleted.
 */
public final class Downloader {
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(30);
    /** How long to wait for the answer's headers, and then for each next piece of the body. */
    public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(60);
    /** The same as {@link #DEFAULT_READ_TIMEOUT} (its earlier name). */
    public static final Duration DEFAULT_RESPONSE_TIMEOUT = DEFAULT_READ_TIMEOUT;
    /** The most bytes accepted for a file whose size neither the caller nor the server states: 4 GiB. */
    public static final long DEFAULT_MAX_UNKNOWN_SIZE = 4L << 30;
    /** The most redirects followed for one request. */
    public static final int MAX_REDIRECTS = 5;

    private static final int CHUNK = 1 << 16;
    private static final long REPORT_NANOS = 100_000_000L;
    private static final long REPORT_BYTES = 1 << 20;
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-\\d+/(\\d+|\\*)");

    private final HttpClient client;
    private final Duration connectTimeout;
    private final Duration readTimeout;
    private final long maxUnknownSize;

    /** Connects within 30 s, waits up to 60 s for the answer and for each next piece of the body. */
    public Downloader() {
        this(DEFAULT_CONNECT_TIMEOUT, DEFAULT_READ_TIMEOUT);
    }

    /**
     * @param connectTimeout how long to wait for a connection
     * @param readTimeout    how long to wait for the answer's headers once connected, and then for each next piece
     *                       of the body
     */
    public Downloader(Duration connectTimeout, Duration readTimeout) {
        this(connectTimeout, readTimeout, DEFAULT_MAX_UNKNOWN_SIZE);
    }

    /**
     * @param maxUnknownSize the most bytes accepted for a file whose size neither the caller nor the server states
     */
    public Downloader(Duration connectTimeout, Duration readTimeout, long maxUnknownSize) {
        if (connectTimeout.isNegative() || connectTimeout.isZero() || readTimeout.isNegative()
                || readTimeout.isZero() || maxUnknownSize <= 0) {
            throw new IllegalArgumentException("timeouts and the size limit must be positive");
        }
        this.connectTimeout = connectTimeout;
        this.readTimeout = readTimeout;
        this.maxUnknownSize = maxUnknownSize;
        client = HttpClient.newBuilder().connectTimeout(connectTimeout).followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /** Where a download of {@code target} collects its bytes until it is complete. */
    public static Path partFile(Path target) {
        return target.resolveSibling(target.getFileName() + ".part");
    }

    /** Where the validator (ETag, Last-Modified) of the server's file that a {@code .part} holds is kept. */
    static Path validatorFile(Path target) {
        return target.resolveSibling(target.getFileName() + ".part.json");
    }

    /**
     * Downloads {@code url} to {@code target} (creating its folder), resuming {@code TARGET.part} if there is one.
     *
     * @param size      the expected size in bytes, or {@code null}
     * @param sha256    the expected SHA-256 in hex, or {@code null}
     * @param listener  told the progress every 100 ms or 1 MiB received, whichever comes first, and at the end
     * @param cancelled polled between chunks and while waiting for data; when true the download stops with a
     *                  {@link DownloadCancelledException}, keeping the {@code .part}
     * @return the SHA-256 of the downloaded file, in lower-case hex
     */
    public String download(URI url, Path target, Long size, String sha256, DownloadListener listener,
            BooleanSupplier cancelled) {
        PartFiles files = new PartFiles(partFile(target), validatorFile(target));
        StoreFiles.createFolder(target.toAbsolutePath().getParent());
        long have = files.part.toFile().length();
        Validator validator = have > 0 ? readValidator(files.validators) : null;
        if (have == 0 || (size != null && have > size) || (validator == null && sha256 == null)) {
            // nothing kept, too much kept, or a .part that cannot be checked to belong to the server's file
            files.delete(null);
            have = 0;
            validator = null;
        }
        if (size == null || have < size || have == 0) { // (an empty file is downloaded too)
            transfer(url, files, have, validator, size, new Progress(target.getFileName().toString(), listener),
                    cancelled);
        }
        String got = verify(url, files, size, sha256);
        try {
            AtomicFiles.move(files.part, target);
        } catch (IOException e) {
            throw ClipWsssException.file(target, IoProblems.describe("could not move the download into place", e), e);
        }
        files.delete(null);
        return got;
    }

    private void transfer(URI url, PartFiles files, long have, Validator validator, Long size, Progress progress,
            BooleanSupplier cancelled) {
        if (cancelled.getAsBoolean()) {
            throw cancelledAt(url, files.part);
        }
        Answer answer = open(url, have, validator, files.part);
        try (BodyReader body = answer.body) {
            int status = answer.status();
            HttpHeaders headers = answer.response.headers();
            if (status == 416 && have > 0) {
                // the .part is not a prefix the server can continue (e.g. the file changed): start again
                body.close();
                files.delete(null);
                transfer(url, files, 0, null, size, progress, cancelled);
                return;
            }
            long start;
            long announced; // the file's size by the server's headers, or -1
            long length = headers.firstValueAsLong("Content-Length").orElse(-1);
            if (status == 200) {
                // a new download, or a resume the server answered with the whole (possibly changed) file
                start = 0;
                writeValidator(files.validators, headers);
                announced = length;
            } else if (status == 206 && have > 0) {
                Matcher range = rangeStart(url, files.part, headers, have);
                start = have;
                announced = length >= 0 ? start + length
                        : range.group(2).equals("*") ? -1 : Long.parseLong(range.group(2));
            } else {
                throw new ClipWsssException(url + ": " + httpProblem(status));
            }
            receive(url, body, files, start, announced, size, progress, cancelled);
        }
    }

    /** The answer to a GET, after following redirects. */
    private record Answer(URI uri, HttpResponse<?> response, BodyReader body) {
        int status() {
            return response.statusCode();
        }
    }

    /** Sends the GET (from byte {@code from} on, when above 0) and follows up to {@value #MAX_REDIRECTS} redirects. */
    private Answer open(URI url, long from, Validator validator, Path part) {
        URI current = url;
        for (int redirects = 0;; redirects++) {
            HttpResponse<Flow.Publisher<List<ByteBuffer>>> response = send(url, current, from, validator, part);
            BodyReader body = new BodyReader();
            response.body().subscribe(body);
            int status = response.statusCode();
            if (!isRedirect(status)) {
                return new Answer(current, response, body);
            }
            body.close();
            String location = response.headers().firstValue("Location").map(String::strip).orElse("");
            if (location.isEmpty()) {
                throw new ClipWsssException(url + ": HTTP " + status + " redirect without a Location"
                        + via(url, current));
            }
            if (redirects >= MAX_REDIRECTS) {
                throw new ClipWsssException(url + ": too many redirects (more than " + MAX_REDIRECTS
                        + "; the last to " + location + ")");
            }
            URI next;
            try {
                next = current.resolve(new URI(location));
            } catch (URISyntaxException | IllegalArgumentException e) {
                throw new ClipWsssException(url + ": redirected to an invalid address '" + location + "'", e);
            }
            String scheme = next.getScheme() == null ? "" : next.getScheme().toLowerCase(Locale.ROOT);
            if (!(scheme.equals("http") || scheme.equals("https")) || next.getHost() == null) {
                throw new ClipWsssException(url + ": redirected to '" + location + "', which is not an http(s) URL");
            }
            if (scheme.equals("http") && "https".equalsIgnoreCase(current.getScheme())) {
                throw new ClipWsssException(url + ": redirected from https to plain http (" + next
                        + "), which is refused");
            }
            current = next;
        }
    }

    private static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    private static String via(URI url, URI current) {
        return current.equals(url) ? "" : " (redirected to " + current + ")";
    }

    private HttpResponse<Flow.Publisher<List<ByteBuffer>>> send(URI url, URI current, long from,
            Validator validator, Path part) {
        HttpRequest.Builder request;
        try {
            request = HttpRequest.newBuilder(current).timeout(readTimeout).header("User-Agent", "clip-wsss").GET();
        } catch (IllegalArgumentException e) {
            throw new ClipWsssException(url + ": cannot download from " + current + " (" + e.getMessage() + ")", e);
        }
        if (from > 0) {
            request.header("Range", "bytes=" + from + "-");
            if (validator != null) {
                request.header("If-Range", validator.ifRange());
            }
        }
        try {
            return client.send(request.build(), HttpResponse.BodyHandlers.ofPublisher());
        } catch (IOException e) {
            throw new ClipWsssException(url + ": " + connectionProblem(current, e) + via(url, current), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw cancelledAt(url, part);
        }
    }

    /**
     * Writes the body into the .part from byte {@code start} on, never past the expected size: {@code size} when
     * known, else {@code announced} (by the server) when known, else {@link #maxUnknownSize}.
     */
    private void receive(URI url, BodyReader body, PartFiles files, long start, long announced, Long size,
            Progress progress, BooleanSupplier cancelled) {
        long limit = size != null ? size : announced >= 0 ? announced : maxUnknownSize;
        long total = size != null ? size : announced;
        long done = start;
        boolean tooMuch = false;
        try (FileChannel out = FileChannel.open(files.part, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            out.truncate(start);
            out.position(start);
            progress.report(done, total, true);
            byte[] buffer = new byte[CHUNK];
            for (int n; (n = read(url, files.part, body, buffer, cancelled)) >= 0;) {
                if (n > limit - done) {
                    tooMuch = true;
                    break;
                }
                ByteBuffer bytes = ByteBuffer.wrap(buffer, 0, n);
                while (bytes.hasRemaining()) {
                    out.write(bytes);
                }
                done += n;
                progress.report(done, total, false);
            }
            if (!tooMuch) {
                out.force(true);
            }
        } catch (IOException e) {
            throw ClipWsssException.file(files.part, IoProblems.describe("could not write", e), e);
        }
        if (tooMuch) {
            body.close();
            ClipWsssException e = new ClipWsssException(url + ": the server sent more than "
                    + (size != null || announced >= 0 ? "the expected " + limit + " bytes"
                            : limit + " bytes, the most accepted for a file of unknown size")
                    + " (the download was deleted)");
            files.delete(e);
            throw e;
        }
        progress.report(done, total, true);
        if (announced >= 0 && done < announced) {
            throw brokenOff(url, files.part, "the connection closed after " + done + " of " + announced + " bytes",
                    null);
        }
    }

    /** The next chunk of the body, or -1 at its end; checks for cancellation first and while waiting. */
    private int read(URI url, Path part, BodyReader body, byte[] buffer, BooleanSupplier cancelled) {
        if (cancelled.getAsBoolean()) {
            throw cancelledAt(url, part);
        }
        try {
            return body.read(buffer, readTimeout.toNanos(), cancelled);
        } catch (IOException e) {
            throw brokenOff(url, part, innermostMessage(e, e.getClass().getSimpleName()), e);
        } catch (BodyReader.StalledException e) {
            throw brokenOff(url, part, "no data for " + seconds(readTimeout), null);
        } catch (BodyReader.CancelledException e) {
            throw cancelledAt(url, part);
        }
    }

    private static Matcher rangeStart(URI url, Path part, HttpHeaders headers, long requested) {
        String header = headers.firstValue("Content-Range").orElse("");
        Matcher m = CONTENT_RANGE.matcher(header);
        if (!m.matches() || Long.parseLong(m.group(1)) != requested) {
            throw new ClipWsssException(url + ": the server resumed with Content-Range '" + header
                    + "' instead of bytes " + requested + "-; delete " + part + " and retry");
        }
        return m;
    }

    /** Checks the size and checksum; returns the SHA-256. */
    private static String verify(URI url, PartFiles files, Long size, String sha256) {
        long actual = files.part.toFile().length();
        if (size != null && actual != size) {
            ClipWsssException e = new ClipWsssException(url + ": got " + actual + " bytes, expected " + size
                    + " (the download was deleted)");
            files.delete(e);
            throw e;
        }
        String got = StoreFiles.sha256(files.part);
        if (sha256 != null && !got.equalsIgnoreCase(sha256)) {
            ClipWsssException e = new ClipWsssException(url + ": checksum mismatch: expected sha256 "
                    + sha256.toLowerCase(Locale.ROOT) + ", got " + got + " (the download was deleted)");
            files.delete(e);
            throw e;
        }
        return got;
    }

    /**
     * What identifies the version of the server's file that a .part holds: a strong ETag, else Last-Modified.
     */
    record Validator(String etag, String lastModified) {
        String ifRange() {
            return etag != null ? etag : lastModified;
        }
    }

    /** The validator kept for a .part, or null when there is none (or it is unreadable). */
    private static Validator readValidator(Path file) {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        JsonNode node;
        try {
            node = StoreFiles.readJson(file, "download validator");
        } catch (ClipWsssException e) {
            return null; // unreadable: as if there were none
        }
        String etag = node.path("etag").isTextual() ? node.get("etag").textValue() : null;
        String lastModified = node.path("last_modified").isTextual() ? node.get("last_modified").textValue() : null;
        return etag == null && lastModified == null ? null : new Validator(etag, lastModified);
    }

    /** Keeps the answer's strong ETag and Last-Modified for resuming; deletes the file when it has neither. */
    private static void writeValidator(Path file, HttpHeaders headers) {
        String etag = headers.firstValue("ETag").map(String::strip)
                .filter(t -> t.startsWith("\"") && t.endsWith("\"") && t.length() >= 2).orElse(null); // not W/"..."
        String lastModified = headers.firstValue("Last-Modified").map(String::strip).filter(t -> !t.isEmpty())
                .orElse(null);
        if (etag == null && lastModified == null) {
            deleteFile(file, null);
            return;
        }
        ObjectNode node = StoreFiles.object();
        if (etag != null) {
            node.put("etag", etag);
        }
        if (lastModified != null) {
            node.put("last_modified", lastModified);
        }
        StoreFiles.writeJson(file, node);
    }

    /** A download's .part and its validator file. */
    private record PartFiles(Path part, Path validators) {
        /** Deletes both; a failure is added to {@code failure} when there is one, else thrown. */
        void delete(ClipWsssException failure) {
            deleteFile(part, failure);
            deleteFile(validators, failure);
        }
    }

    private static void deleteFile(Path file, ClipWsssException failure) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            ClipWsssException problem = ClipWsssException.file(file, IoProblems.describe("could not delete", e), e);
            if (failure == null) {
                throw problem;
            }
            failure.addSuppressed(problem);
        }
    }

    private static DownloadCancelledException cancelledAt(URI url, Path part) {
        return new DownloadCancelledException(url + ": download cancelled; " + part.toFile().length()
                + " bytes kept in " + part + " for resuming");
    }

    private static ClipWsssException brokenOff(URI url, Path part, String reason, Throwable cause) {
        return new ClipWsssException(url + ": download broken off (" + reason + "); "
                + part.toFile().length() + " bytes kept in " + part + ", run again to resume", cause);
    }

    private String connectionProblem(URI url, IOException e) {
        if (e instanceof HttpConnectTimeoutException) {
            return "could not connect within " + seconds(connectTimeout);
        } else if (e instanceof HttpTimeoutException) {
            return "no answer within " + seconds(readTimeout);
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof UnresolvedAddressException || t instanceof UnknownHostException) {
                return "could not connect (unknown host " + url.getHost() + ")";
            }
        }
        if (e instanceof ConnectException) {
            return "could not connect (" + innermostMessage(e, "connection refused or host unreachable") + ")";
        }
        return "download failed (" + innermostMessage(e, e.getClass().getSimpleName()) + ")";
    }

    /** "60 s", "1.5 s". */
    static String seconds(Duration d) {
        long millis = d.toMillis();
        return (millis % 1000 == 0 ? String.valueOf(millis / 1000)
                : String.format(Locale.ROOT, "%.3f", millis / 1000.0).replaceAll("0+$", "")) + " s";
    }

    private static String httpProblem(int status) {
        String meaning = switch (status) {
            case 401, 403 -> "access denied; the model may need a login or accepting its licence on its page";
            case 404 -> "not found";
            case 206, 416 -> "unexpected answer to a download from the start";
            case 429 -> "too many requests; try again later";
            default -> status >= 500 ? "server error; try again later" : "unexpected answer";
        };
        return "HTTP " + status + " (" + meaning + ")";
    }

    /** The message of the innermost cause that has one, else {@code fallback}. */
    private static String innermostMessage(Throwable e, String fallback) {
        String message = fallback;
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                message = t.getMessage().lines().findFirst().orElse(fallback);
            }
        }
        return message;
    }

    /** Throttles the listener. */
    private static final class Progress {
        private final String file;
        private final DownloadListener listener;
        private long lastBytes = Long.MIN_VALUE / 2;
        private long lastNanos;

        Progress(String file, DownloadListener listener) {
            this.file = file;
            this.listener = listener;
        }

        void report(long done, long total, boolean always) {
            long now = System.nanoTime();
            if (always || done - lastBytes >= REPORT_BYTES || now - lastNanos >= REPORT_NANOS) {
                listener.progress(file, done, total);
                lastBytes = done;
                lastNanos = now;
            }
        }
    }
}

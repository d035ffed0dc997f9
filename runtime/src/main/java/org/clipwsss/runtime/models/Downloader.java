package org.clipwsss.runtime.models;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
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
import java.util.Locale;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.clipwsss.runtime.ClipWsssException;
import org.clipwsss.runtime.io.AtomicFiles;
import org.clipwsss.runtime.io.IoProblems;

/**
 * Downloads one URL to a file over HTTP(S), through {@code TARGET.part}: a broken download is resumed with a
 * {@code Range} request, the size and SHA-256 are checked when known, and the finished file is renamed onto the
 * target, so the target is either absent or complete. Redirects are followed (Hugging Face redirects to a CDN).
 *
 * <p>Errors are {@link ClipWsssException}s of one line naming the URL. A transfer that breaks off or is cancelled
 * keeps the {@code .part} file for the next attempt; a file with the wrong size or checksum is deleted.
 */
public final class Downloader {
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(30);
    public static final Duration DEFAULT_RESPONSE_TIMEOUT = Duration.ofSeconds(60);

    private static final int CHUNK = 1 << 16;
    private static final long REPORT_NANOS = 100_000_000L;
    private static final long REPORT_BYTES = 1 << 20;
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-\\d+/(\\d+|\\*)");

    private final HttpClient client;
    private final Duration connectTimeout;
    private final Duration responseTimeout;

    /** Connects within 30 s and waits up to 60 s for a server's answer. */
    public Downloader() {
        this(DEFAULT_CONNECT_TIMEOUT, DEFAULT_RESPONSE_TIMEOUT);
    }

    /**
     * @param connectTimeout  how long to wait for a connection
     * @param responseTimeout how long to wait for the answer's headers once connected
     */
    public Downloader(Duration connectTimeout, Duration responseTimeout) {
        this.connectTimeout = connectTimeout;
        this.responseTimeout = responseTimeout;
        client = HttpClient.newBuilder().connectTimeout(connectTimeout).followRedirects(HttpClient.Redirect.NORMAL)
                .build();
    }

    /** Where a download of {@code target} collects its bytes until it is complete. */
    public static Path partFile(Path target) {
        return target.resolveSibling(target.getFileName() + ".part");
    }

    /**
     * Downloads {@code url} to {@code target} (creating its folder), resuming {@code TARGET.part} if there is one.
     *
     * @param size      the expected size in bytes, or {@code null}
     * @param sha256    the expected SHA-256 in hex, or {@code null}
     * @param listener  told the progress every 100 ms or 1 MiB received, whichever comes first, and at the end
     * @param cancelled polled between chunks; when true the download stops with a
     *                  {@link DownloadCancelledException}, keeping the {@code .part}
     */
    public void download(URI url, Path target, Long size, String sha256, DownloadListener listener,
            BooleanSupplier cancelled) {
        Path part = partFile(target);
        StoreFiles.createFolder(target.toAbsolutePath().getParent());
        long have = part.toFile().length();
        if (size != null && have > size) {
            delete(part, null);
            have = 0;
        }
        if (size == null || have < size) {
            transfer(url, part, have, size, new Progress(target.getFileName().toString(), listener), cancelled);
        }
        verify(url, part, size, sha256);
        try {
            AtomicFiles.move(part, target);
        } catch (IOException e) {
            throw ClipWsssException.file(target, IoProblems.describe("could not move the download into place", e), e);
        }
    }

    private void transfer(URI url, Path part, long have, Long size, Progress progress, BooleanSupplier cancelled) {
        if (cancelled.getAsBoolean()) {
            throw cancelledAt(url, part);
        }
        HttpResponse<InputStream> response = send(url, have, part);
        int status = response.statusCode();
        try (InputStream body = response.body()) {
            if (status == 416 && have > 0) {
                // the .part is not a prefix the server can continue (e.g. the file changed): start again
                delete(part, null);
                transfer(url, part, 0, size, progress, cancelled);
                return;
            }
            long start;
            if (status == 200) {
                start = 0;
            } else if (status == 206 && have > 0) {
                start = rangeStart(url, response, have);
            } else {
                throw new ClipWsssException(url + ": " + httpProblem(status));
            }
            long length = response.headers().firstValueAsLong("Content-Length").orElse(-1);
            long total = length >= 0 ? start + length : size != null ? size : -1;
            receive(url, body, part, start, total, progress, cancelled);
        } catch (IOException e) {
            throw brokenOff(url, part, innermostMessage(e, e.getClass().getSimpleName()), e);
        }
    }

    private HttpResponse<InputStream> send(URI url, long from, Path part) {
        HttpRequest.Builder request = HttpRequest.newBuilder(url).timeout(responseTimeout)
                .header("User-Agent", "clip-wsss").GET();
        if (from > 0) {
            request.header("Range", "bytes=" + from + "-");
        }
        try {
            return client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw new ClipWsssException(url + ": " + connectionProblem(url, e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw cancelledAt(url, part);
        }
    }

    /** Writes the body into the .part from byte {@code start} on. */
    private static void receive(URI url, InputStream body, Path part, long start, long total, Progress progress,
            BooleanSupplier cancelled) {
        long done = start;
        try (FileChannel out = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            out.truncate(start);
            out.position(start);
            progress.report(done, total, true);
            byte[] buffer = new byte[CHUNK];
            for (int n; (n = read(url, part, body, buffer, cancelled)) >= 0;) {
                ByteBuffer bytes = ByteBuffer.wrap(buffer, 0, n);
                while (bytes.hasRemaining()) {
                    out.write(bytes);
                }
                done += n;
                progress.report(done, total, false);
            }
            out.force(true);
        } catch (IOException e) {
            throw ClipWsssException.file(part, IoProblems.describe("could not write", e), e);
        }
        progress.report(done, total, true);
        if (total >= 0 && done < total) {
            throw brokenOff(url, part, "the connection closed after " + done + " of " + total + " bytes", null);
        }
    }

    /** The next chunk of the body, or -1 at its end; checks for cancellation first. */
    private static int read(URI url, Path part, InputStream body, byte[] buffer, BooleanSupplier cancelled) {
        if (cancelled.getAsBoolean()) {
            throw cancelledAt(url, part);
        }
        try {
            return body.read(buffer);
        } catch (IOException e) {
            throw brokenOff(url, part, innermostMessage(e, e.getClass().getSimpleName()), e);
        }
    }

    private static long rangeStart(URI url, HttpResponse<?> response, long requested) {
        String header = response.headers().firstValue("Content-Range").orElse("");
        Matcher m = CONTENT_RANGE.matcher(header);
        if (!m.matches() || Long.parseLong(m.group(1)) != requested) {
            throw new ClipWsssException(url + ": the server resumed with Content-Range '" + header
                    + "' instead of bytes " + requested + "-");
        }
        return requested;
    }

    private static void verify(URI url, Path part, Long size, String sha256) {
        long actual = part.toFile().length();
        if (size != null && actual != size) {
            ClipWsssException e = new ClipWsssException(url + ": got " + actual + " bytes, expected " + size
                    + " (the download was deleted)");
            delete(part, e);
            throw e;
        }
        if (sha256 != null) {
            String got = StoreFiles.sha256(part);
            if (!got.equalsIgnoreCase(sha256)) {
                ClipWsssException e = new ClipWsssException(url + ": checksum mismatch: expected sha256 "
                        + sha256.toLowerCase(Locale.ROOT) + ", got " + got + " (the download was deleted)");
                delete(part, e);
                throw e;
            }
        }
    }

    /** Deletes the .part; a failure is added to {@code failure} when there is one, else thrown. */
    private static void delete(Path part, ClipWsssException failure) {
        try {
            Files.deleteIfExists(part);
        } catch (IOException e) {
            ClipWsssException problem = ClipWsssException.file(part, IoProblems.describe("could not delete", e), e);
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
            return "could not connect within " + connectTimeout.toSeconds() + " s";
        } else if (e instanceof HttpTimeoutException) {
            return "no answer within " + responseTimeout.toSeconds() + " s";
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

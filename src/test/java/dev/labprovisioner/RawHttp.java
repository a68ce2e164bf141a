package dev.labprovisioner;

import io.restassured.RestAssured;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket, for what an HTTP client library will not send: URLs and headers past the service's
 * limits, raw bytes in a path or a query (invalid UTF-8, broken percent-encoding), a chunked body of any size. Each
 * request is one connection ({@code Connection: close}); the answer is read to the end of the stream.
 */
public final class RawHttp {

    public record Response(int status, Map<String, String> headers, String body) {

        /** The header's value (names are case-insensitive), or null. */
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        public String contentType() {
            String type = header("content-type");
            return type == null ? null : type.split(";")[0].trim();
        }

        @Override
        public String toString() {
            return status + " " + headers + " " + body;
        }
    }

    private final String host;
    private final int port;

    public RawHttp(String host, int port) {
        this.host = host;
        this.port = port;
    }

    /** The service RestAssured points at. */
    public static RawHttp toService() {
        return new RawHttp("127.0.0.1", RestAssured.port);
    }

    /**
     * Sends {@code method target HTTP/1.1}, the headers (each {@code "Name: value"}, as bytes, so anything goes), and
     * the body with its Content-Length, or chunked when {@code chunked}.
     */
    public Response send(String method, byte[] target, byte[] body, boolean chunked, String... headers) {
        try (var socket = new Socket(host, port)) {
            socket.setSoTimeout(30_000);
            var request = new ByteArrayOutputStream();
            request.write((method + " ").getBytes(StandardCharsets.US_ASCII));
            request.write(target);
            request.write(" HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n".getBytes(StandardCharsets.US_ASCII));
            for (String header : headers) {
                request.write(header.getBytes(StandardCharsets.UTF_8));
                request.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            if (body != null && chunked) {
                request.write("Transfer-Encoding: chunked\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            } else if (body != null) {
                request.write(("Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            } else {
                request.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            var out = socket.getOutputStream();
            out.write(request.toByteArray());
            if (body != null) {
                writeBody(out, body, chunked);
            }
            out.flush();
            return read(socket.getInputStream());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Response send(String method, String target, String body, String... headers) {
        return send(method, target.getBytes(StandardCharsets.UTF_8), body == null ? null : body.getBytes(StandardCharsets.UTF_8), false, headers);
    }

    private static void writeBody(java.io.OutputStream out, byte[] body, boolean chunked) throws IOException {
        try {
            if (!chunked) {
                out.write(body);
                return;
            }
            for (int at = 0; at < body.length; at += 8192) {
                int n = Math.min(8192, body.length - at);
                out.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(body, at, n);
                out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        } catch (SocketException e) {
            // The service may answer (and close) before it has read a body it refuses; its answer is still there.
        }
    }

    private static Response read(InputStream in) throws IOException {
        byte[] all;
        try {
            all = in.readAllBytes();
        } catch (SocketException e) {
            throw new IOException("the service closed the connection without an answer", e);
        }
        if (all.length == 0) {
            throw new IOException("the service closed the connection without an answer");
        }
        String text = new String(all, StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        String[] lines = text.substring(0, end).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        var headers = new LinkedHashMap<String, String>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
        }
        byte[] rest = java.util.Arrays.copyOfRange(all, end + 4, all.length);
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            rest = dechunk(rest);
        } else if (headers.containsKey("content-length")) {
            rest = java.util.Arrays.copyOf(rest, Math.min(rest.length, Integer.parseInt(headers.get("content-length"))));
        }
        return new Response(status, headers, new String(rest, StandardCharsets.UTF_8));
    }

    private static byte[] dechunk(byte[] chunked) {
        var out = new ByteArrayOutputStream();
        int at = 0;
        while (at < chunked.length) {
            int eol = indexOf(chunked, at);
            int size = Integer.parseInt(new String(chunked, at, eol - at, StandardCharsets.US_ASCII).split(";")[0].trim(), 16);
            if (size == 0) {
                break;
            }
            out.write(chunked, eol + 2, size);
            at = eol + 2 + size + 2;
        }
        return out.toByteArray();
    }

    private static int indexOf(byte[] bytes, int from) {
        for (int i = from; i + 1 < bytes.length; i++) {
            if (bytes[i] == '\r' && bytes[i + 1] == '\n') {
                return i;
            }
        }
        throw new IllegalStateException("a chunk size without its line end");
    }
}

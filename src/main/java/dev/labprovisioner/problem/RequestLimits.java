package dev.labprovisioner.problem;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.labprovisioner.config.LabsConfig;
import io.quarkus.vertx.http.runtime.RouteConstants;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Requests too large, or with a URL that is not percent-encoded UTF-8, are answered here with a problem+json, ahead of
 * every endpoint: 414 for a long URL, 431 for large headers, 413 for a large body, 400 for a URL whose
 * percent-encoding is broken or decodes to bytes that are not UTF-8 ({@code %C3%28}, {@code %FF}). Left to Vert.x and
 * RESTEasy, the first three were answered with no body at all, and a broken escape was a 500.
 * <p>
 * Vert.x's codec answers an over-long request line or header block itself (414/431, no body, no route runs), so
 * application.properties raises its limits ({@code quarkus.http.limits.*}) well above these, and these are the ones a
 * client meets.
 */
@ApplicationScoped
public class RequestLimits {

    private final int urlLength;
    private final long headerSize;
    private final long bodySize;
    private final ObjectMapper json;
    /** Reads a chunked body (no Content-Length) up to the limit; RESTEasy takes it from the routing context. */
    private final BodyHandler chunkedBodies;

    RequestLimits(LabsConfig config, ObjectMapper json) {
        this.urlLength = config.limits().urlLength();
        this.headerSize = config.limits().headerSize().asLongValue();
        this.bodySize = config.limits().bodySize().asLongValue();
        this.json = json;
        this.chunkedBodies = BodyHandler.create(false).setBodyLimit(bodySize);
    }

    /** Before Quarkus's own body-size check (which answers an empty 413), after the access log and the headers. */
    void install(@Observes Router router) {
        router.route().order(RouteConstants.ROUTE_ORDER_UPLOAD_LIMIT - 1).handler(this::check).failureHandler(this::tooLarge);
    }

    private void check(RoutingContext rc) {
        HttpServerRequest request = rc.request();
        String target = request.uri();
        if (target.length() > urlLength) {
            refuse(rc, Problem.of(414, "URI Too Long",
                    "The URL is " + target.length() + " characters long; at most " + urlLength + " are accepted."), false);
            return;
        }
        long headers = 0;
        for (Map.Entry<String, String> header : request.headers()) {
            headers += header.getKey().length() + header.getValue().length() + 4; // "name: value\r\n"
        }
        if (headers > headerSize) {
            refuse(rc, Problem.of(431, "Request Header Fields Too Large",
                    "The request's headers are " + headers + " bytes; at most " + headerSize + " are accepted."), false);
            return;
        }
        String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length != null && contentLength(length) > bodySize) {
            refuse(rc, tooLarge("The request body is " + length + " bytes; at most " + bodySize + " are accepted."), true);
            return;
        }
        String notUtf8 = notPercentEncodedUtf8(target);
        if (notUtf8 != null) {
            refuse(rc, Problem.of(jakarta.ws.rs.core.Response.Status.BAD_REQUEST, notUtf8), false);
            return;
        }
        if (length == null && request.headers().contains(HttpHeaders.TRANSFER_ENCODING, "chunked", true)) {
            chunkedBodies.handle(rc); // next() once read; a body past the limit fails the request with 413
            return;
        }
        rc.next();
    }

    private void tooLarge(RoutingContext rc) {
        if (rc.statusCode() == 413 && !rc.response().headWritten()) {
            refuse(rc, tooLarge("The request body is larger than " + bodySize + " bytes; at most " + bodySize + " are accepted."), true);
        } else {
            rc.next();
        }
    }

    private static Problem tooLarge(String detail) {
        return Problem.of(413, "Content Too Large", detail);
    }

    /** Netty has checked that a Content-Length is a number; one too large for a long is too large for us too. */
    private static long contentLength(String value) {
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }

    /**
     * Why the URL's path or query cannot be read as text, or null if it can: each {@code %} must start two hex digits,
     * and the bytes they stand for (with the URL's own characters) must be UTF-8.
     */
    static String notPercentEncodedUtf8(String target) {
        if (target.indexOf('%') < 0 && target.chars().allMatch(c -> c < 0x80)) {
            return null;
        }
        var bytes = new ByteArrayOutputStream(target.length());
        for (int i = 0; i < target.length(); i++) {
            char c = target.charAt(i);
            if (c == '%') {
                int high = i + 1 < target.length() ? Character.digit(target.charAt(i + 1), 16) : -1;
                int low = i + 2 < target.length() ? Character.digit(target.charAt(i + 2), 16) : -1;
                if (high < 0 || low < 0) {
                    return "The URL has a '%' that is not followed by two hexadecimal digits.";
                }
                bytes.write(high << 4 | low);
                i += 2;
            } else if (c > 0xFF) {
                return "The URL holds characters that are not percent-encoded.";
            } else {
                bytes.write(c); // the request line's bytes, as Netty read them (one char each)
            }
        }
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes.toByteArray()));
            return null;
        } catch (CharacterCodingException e) {
            return "The URL's path or query holds bytes that are not UTF-8 (percent-encode UTF-8 text, as %C3%A9 for é).";
        }
    }

    private void refuse(RoutingContext rc, Problem problem, boolean unreadBody) {
        var response = rc.response().setStatusCode(problem.status()).putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE);
        if (unreadBody) {
            // the body is not read: the connection cannot carry another request after it
            response.putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
            // (through the routing context: a response end handler set here would replace the one that runs its end
            // handlers, and WaitingCallers would count this write as answered forever)
            rc.addEndHandler(done -> rc.request().connection().close());
        }
        try {
            response.end(json.writeValueAsString(problem));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A problem could not be written as JSON", e);
        }
    }
}

package dev.labprovisioner.lti.services;

import dev.labprovisioner.config.LabsConfig;
import dev.labprovisioner.lti.registration.PlatformUrls;
import dev.labprovisioner.outbox.Outcome;
import dev.labprovisioner.problem.ProblemException;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/**
 * HTTP to a platform's services (token, line items, scores, memberships): every call with a connect timeout
 * ({@code labs.lti.http-timeout}) and a request timeout ({@code labs.lti.services-timeout}), no redirects followed, and
 * every URL held to the registration's rules (https; plain http to loopback only where allowed).
 */
@ApplicationScoped
public class PlatformHttp {

    /** The most of an answer that is read: a page of memberships is far smaller. */
    static final int MAX_ANSWER_BYTES = 8 * 1024 * 1024;

    private final HttpClient http;
    private final Duration timeout;
    private final PlatformUrls urls;

    PlatformHttp(LabsConfig config, PlatformUrls urls) {
        this.timeout = config.lti().servicesTimeout();
        this.urls = urls;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(config.lti().httpTimeout())
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** An answer: its status, headers, body (as text) and how long it took. */
    public record Answer(int status, HttpHeaders headers, String body, long latencyMillis) {
        public boolean ok() {
            return status >= 200 && status < 300;
        }

        /** {@code Retry-After} of a 429 or 503: seconds or an HTTP date. */
        public Optional<Duration> retryAfter() {
            if (status != 429 && status != 503) {
                return Optional.empty();
            }
            return headers.firstValue("retry-after").flatMap(Outcome::retryAfter);
        }

        /** The first bytes of the body, for a message or an attempt's record. */
        public String excerpt() {
            return body.length() <= 300 ? body : body.substring(0, 300) + "…";
        }
    }

    /** The platform URL {@code url} (from the registration or a launch's claim), if this tool may call it. */
    public URI url(String what, String url) throws PlatformFailure {
        try {
            return urls.check(what, url);
        } catch (ProblemException e) {
            throw PlatformFailure.unusable("The platform's " + what + " cannot be called: " + e.problem().detail());
        }
    }

    /** Sends {@code request} once; {@code what} names the endpoint in messages ("token endpoint", "line item"). */
    public Answer send(HttpRequest.Builder request, String what) throws PlatformFailure {
        long start = System.nanoTime();
        try {
            HttpResponse<InputStream> response = http.send(request.timeout(timeout).header("User-Agent", "lab-provisioner-lti").build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            String body;
            try (InputStream in = response.body()) {
                body = new String(in.readNBytes(MAX_ANSWER_BYTES), StandardCharsets.UTF_8).replace('\u0000', '\uFFFD');
            }
            return new Answer(response.statusCode(), response.headers(), body, (System.nanoTime() - start) / 1_000_000);
        } catch (HttpTimeoutException e) {
            throw PlatformFailure.unreachable("The platform's " + what + " did not answer within " + timeout.toSeconds() + " s");
        } catch (IOException e) {
            throw PlatformFailure.unreachable("Could not reach the platform's " + what + ": " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw PlatformFailure.unreachable("Interrupted (the service is stopping)");
        }
    }
}

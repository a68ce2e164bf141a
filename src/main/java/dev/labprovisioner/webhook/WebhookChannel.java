package dev.labprovisioner.webhook;

import dev.labprovisioner.config.LabsConfig;
import dev.labprovisioner.outbox.OutboxChannel;
import dev.labprovisioner.outbox.OutboxDelivery;
import dev.labprovisioner.outbox.Outcome;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * Sends one webhook: a POST of the event's body with the Standard Webhooks headers ({@code webhook-id}, the same on
 * every attempt; {@code webhook-timestamp}, this attempt's; {@code webhook-signature}). A 2xx is delivered, a 410
 * disables the subscription, a 429 or 503 with {@code Retry-After} is retried when it says, anything else (other
 * answers, redirects, no answer within the timeout) on the retry schedule.
 */
@ApplicationScoped
public class WebhookChannel implements OutboxChannel {

    private static final Logger LOG = Logger.getLogger(WebhookChannel.class);
    /** How much of an answer is kept with its attempt. */
    static final int RESPONSE_EXCERPT_BYTES = 1024;

    private final WebhookSecrets secrets;
    private final WebhookDestinations destinations;
    private final Duration timeout;
    private final HttpClient http;

    WebhookChannel(WebhookSecrets secrets, WebhookDestinations destinations, LabsConfig config) {
        this.secrets = secrets;
        this.destinations = destinations;
        this.timeout = config.webhooks().timeout();
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    @Override
    public String name() {
        return WebhookEvents.CHANNEL;
    }

    @Override
    public Outcome send(OutboxDelivery delivery) {
        UUID id = UUID.fromString(delivery.destination());
        WebhookSubscription subscription = QuarkusTransaction.requiringNew().call(() -> WebhookSubscription.<WebhookSubscription>findById(id));
        if (subscription == null) {
            return Outcome.dropped("The subscription was deleted");
        }
        if (subscription.disabledAt != null) {
            return Outcome.dropped("The subscription is disabled: " + subscription.disabledReason);
        }
        byte[] body = delivery.body().getBytes(StandardCharsets.UTF_8);
        long timestamp = Instant.now().getEpochSecond();
        String signature;
        try {
            signature = WebhookSignature.sign(secrets.decrypt(id, subscription.secretEncrypted), delivery.messageId(), timestamp, body);
            if (subscription.previousSecretSigns(Instant.now())) {
                // During a rotation's overlap both secrets sign, space-separated: a receiver with either one verifies.
                signature += " " + WebhookSignature.sign(secrets.decrypt(id, subscription.previousSecretEncrypted),
                        delivery.messageId(), timestamp, body);
            }
        } catch (IllegalStateException e) {
            return new Outcome(Outcome.Kind.RETRY, null, 0, null, e.getMessage(), Optional.empty());
        }
        URI url = URI.create(subscription.url);
        // Its name may resolve elsewhere now than when it was subscribed (DNS rebinding): not sent, retried on schedule.
        Optional<String> refusal = destinations.refusalBeforeAttempt(url);
        if (refusal.isPresent()) {
            return new Outcome(Outcome.Kind.RETRY, null, 0, null, refusal.get(), Optional.empty());
        }
        HttpRequest request = HttpRequest.newBuilder(url).timeout(timeout)
                .header("content-type", "application/json")
                .header("user-agent", "lab-provisioner-webhooks")
                .header("webhook-id", delivery.messageId())
                .header("webhook-timestamp", Long.toString(timestamp))
                .header("webhook-signature", signature)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        long start = System.nanoTime();
        try {
            HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            String excerpt = excerpt(response.body());
            long latency = (System.nanoTime() - start) / 1_000_000;
            int status = response.statusCode();
            if (status >= 200 && status < 300) {
                return new Outcome(Outcome.Kind.DELIVERED, status, latency, excerpt, null, Optional.empty());
            }
            if (status == 410) {
                return new Outcome(Outcome.Kind.GONE, status, latency, excerpt, null, Optional.empty());
            }
            Optional<Duration> retryAfter = status == 429 || status == 503
                    ? response.headers().firstValue("retry-after").flatMap(WebhookChannel::retryAfter) : Optional.empty();
            return new Outcome(Outcome.Kind.RETRY, status, latency, excerpt, null, retryAfter);
        } catch (HttpTimeoutException e) {
            return failed(start, "No answer within " + timeout.toSeconds() + " s");
        } catch (IOException e) {
            return failed(start, "Could not reach the destination: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return failed(start, "Interrupted (the service is stopping)");
        }
    }

    private static Outcome failed(long start, String error) {
        return new Outcome(Outcome.Kind.RETRY, null, (System.nanoTime() - start) / 1_000_000, null, error, Optional.empty());
    }

    @Override
    @Transactional(Transactional.TxType.MANDATORY)
    public void destinationGone(String destination, String reason) {
        WebhookSubscription subscription = WebhookSubscription.findById(UUID.fromString(destination));
        if (subscription != null && subscription.disabledAt == null) {
            subscription.disabledAt = Instant.now();
            subscription.disabledReason = reason;
            LOG.infof("Webhook subscription %s disabled: %s", destination, reason);
        }
    }

    private static String excerpt(InputStream body) throws IOException {
        try (body) {
            byte[] first = body.readNBytes(RESPONSE_EXCERPT_BYTES);
            // Kept as text: a NUL byte has no place in a PostgreSQL text column.
            return first.length == 0 ? null : new String(first, StandardCharsets.UTF_8).replace('\u0000', '\uFFFD');
        }
    }

    /** {@code Retry-After}: seconds, or an HTTP date. */
    static Optional<Duration> retryAfter(String value) {
        return Outcome.retryAfter(value);
    }
}

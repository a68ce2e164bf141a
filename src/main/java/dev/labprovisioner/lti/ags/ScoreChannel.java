package dev.labprovisioner.lti.ags;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.labprovisioner.lti.registration.LtiRegistration;
import dev.labprovisioner.lti.services.AdvantageServices;
import dev.labprovisioner.lti.services.PlatformCalls;
import dev.labprovisioner.lti.services.PlatformFailure;
import dev.labprovisioner.lti.services.PlatformHttp;
import dev.labprovisioner.outbox.OutboxChannel;
import dev.labprovisioner.outbox.OutboxDelivery;
import dev.labprovisioner.outbox.Outcome;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.net.URI;
import java.net.http.HttpRequest;
import java.util.Optional;

/**
 * Sends one AGS score: {@code POST <lineitem>/scores} ({@code application/vnd.ims.lis.v1.score+json}) with the tool's
 * access token for the scopes the launch's claim listed. A 2xx is delivered. No answer, a timeout, a 408, a 429 or a
 * 5xx is retried on the outbox's schedule (or when {@code Retry-After} says). The token endpoint refusing the client
 * assertion is retried too: the registration can be put right, and the score is still the learner's. Any other 4xx to
 * the score is recorded as FAILED with the platform's reason, not retried: the same bytes would be refused again.
 */
@ApplicationScoped
public class ScoreChannel implements OutboxChannel {

    private static final Logger LOG = Logger.getLogger(ScoreChannel.class);

    private final LineItems lineItems;
    private final PlatformCalls calls;
    private final PlatformHttp http;
    private final ObjectMapper json;

    ScoreChannel(LineItems lineItems, PlatformCalls calls, PlatformHttp http, ObjectMapper json) {
        this.lineItems = lineItems;
        this.calls = calls;
        this.http = http;
        this.json = json;
    }

    @Override
    public String name() {
        return ScoreEvents.CHANNEL;
    }

    @Override
    public Outcome send(OutboxDelivery outboxDelivery) {
        ScoreDelivery delivery;
        String score;
        try {
            delivery = json.readValue(outboxDelivery.body(), ScoreDelivery.class);
            score = json.writeValueAsString(delivery.score());
        } catch (JsonProcessingException e) {
            return Outcome.dropped("Not a score this version can read: " + e.getOriginalMessage());
        }
        LtiRegistration registration = QuarkusTransaction.requiringNew().call(() -> LtiRegistration.<LtiRegistration>findById(delivery.registrationId()));
        if (registration == null) {
            return Outcome.dropped("The LTI registration was removed");
        }
        long start = System.nanoTime();
        LineItems.LineItem lineItem = null;
        try {
            lineItem = lineItems.resolve(registration, delivery);
            URI scores = http.url("line item", LineItems.scoresUrl(lineItem.url()));
            PlatformHttp.Answer answer = calls.call(registration, delivery.scopes(), () -> HttpRequest.newBuilder(scores)
                    .header("Content-Type", AdvantageServices.SCORE).POST(HttpRequest.BodyPublishers.ofString(score)), "line item's scores");
            int status = answer.status();
            if (answer.ok()) {
                return new Outcome(Outcome.Kind.DELIVERED, status, answer.latencyMillis(), excerpt(answer), null, Optional.empty());
            }
            if ((status == 404 || status == 410) && lineItem.found()) {
                lineItems.forget(delivery); // the column was deleted: the next attempt finds or makes it again
                return new Outcome(Outcome.Kind.RETRY, status, answer.latencyMillis(), excerpt(answer),
                        "The line item " + lineItem.url() + " is gone; it is found or made again", Optional.empty());
            }
            if (status == 408 || status == 429 || status >= 500 || status < 400) {
                return new Outcome(Outcome.Kind.RETRY, status, answer.latencyMillis(), excerpt(answer), null, answer.retryAfter());
            }
            String reason = "The platform refused the score with " + status + (answer.body().isBlank() ? "" : ": " + answer.excerpt());
            LOG.warnf("LTI score of learner %s (launch %s) to %s: %s", delivery.score().userId(), outboxDelivery.destination(), lineItem.url(), reason);
            return new Outcome(Outcome.Kind.REFUSED, status, answer.latencyMillis(), excerpt(answer), reason, Optional.empty());
        } catch (PlatformFailure e) {
            long latency = (System.nanoTime() - start) / 1_000_000;
            if (e.transientFailure() || e.tokenRefused()) {
                return new Outcome(Outcome.Kind.RETRY, e.status(), latency, null, e.getMessage(), e.retryAfter());
            }
            LOG.warnf("LTI score of learner %s (launch %s): %s", delivery.score().userId(), outboxDelivery.destination(), e.getMessage());
            return new Outcome(Outcome.Kind.REFUSED, e.status(), latency, null, e.getMessage(), Optional.empty());
        }
    }

    private static String excerpt(PlatformHttp.Answer answer) {
        return answer.body().isBlank() ? null : answer.excerpt();
    }

    @Override
    public void destinationGone(String destination, String reason) {
        // Never asked: a score's 404 or 410 is about one line item, not the launch.
    }
}

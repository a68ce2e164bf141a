package dev.labprovisioner.webhook;

import dev.labprovisioner.config.LabsConfig;
import dev.labprovisioner.outbox.OutboxDeliveries;
import dev.labprovisioner.problem.Paging;
import dev.labprovisioner.problem.ProblemException;
import dev.labprovisioner.security.Caller;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.UUID;

/** Webhook subscriptions of DESIGN §10, each an API client's own (another client's is absent; admin sees all). */
@ApplicationScoped
@Transactional
public class WebhookService {

    private final WebhookDestinations destinations;
    private final WebhookSecrets secrets;
    private final OutboxDeliveries deliveries;
    private final LabsConfig.Webhooks settings;

    WebhookService(WebhookDestinations destinations, WebhookSecrets secrets, OutboxDeliveries deliveries, LabsConfig config) {
        this.destinations = destinations;
        this.secrets = secrets;
        this.deliveries = deliveries;
        this.settings = config.webhooks();
    }

    /** A new subscription and its secret, which exists in plain text only in this value. */
    public record Created(WebhookSubscription subscription, String secret) {
    }

    public Created create(Caller caller, String url, List<String> events) {
        destinations.check(url);
        String types = String.join(" ", eventTypes(events));
        if (WebhookSubscription.count("owner", caller.owner()) >= settings.maxPerClient()) {
            throw ProblemException.unprocessable("An API client may have at most " + settings.maxPerClient()
                    + " webhook subscriptions; delete one first.");
        }
        var subscription = new WebhookSubscription();
        subscription.id = UUID.randomUUID();
        subscription.owner = caller.owner();
        subscription.url = url;
        subscription.events = types;
        String secret = WebhookSecrets.newSecret();
        subscription.secretEncrypted = secrets.encrypt(subscription.id, secret);
        subscription.createdAt = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MICROS);
        subscription.persist();
        return new Created(subscription, secret);
    }

    private static LinkedHashSet<String> eventTypes(List<String> events) {
        if (events == null) {
            return new LinkedHashSet<>(WebhookEventType.ALL);
        }
        if (events.isEmpty()) {
            throw ProblemException.badRequest("'events' must name at least one event type, or be left out for all of them.");
        }
        var types = new LinkedHashSet<String>();
        for (String type : events) {
            if (type == null || WebhookEventType.of(type).isEmpty()) {
                throw ProblemException.badRequest("Unknown event type '" + type + "'; types are " + WebhookEventType.ALL + ".");
            }
            types.add(type);
        }
        return types;
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    public List<WebhookSubscription> list(Caller caller) {
        return caller.admin() ? WebhookSubscription.list("order by createdAt, id")
                : WebhookSubscription.list("owner = ?1 order by createdAt, id", caller.owner());
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    public WebhookSubscription get(Caller caller, UUID id) {
        WebhookSubscription subscription = WebhookSubscription.findById(id);
        // Another client's subscription is reported as absent: its existence is not theirs to know.
        if (subscription == null || !caller.mayAccess(subscription.owner)) {
            throw ProblemException.notFound("No webhook subscription " + id + ".");
        }
        return subscription;
    }

    /**
     * A new secret, shown once in the answer. The previous one keeps signing next to it (two signatures) for
     * {@code labs.webhooks.secret-overlap}, so the receiver can switch without losing a delivery; a rotation during an
     * overlap ends the older secret's at once (only the secret just replaced goes on signing).
     */
    public Created rotateSecret(Caller caller, UUID id) {
        // Locked: two rotations at once must not both keep the same "previous" secret and lose one of the new ones.
        WebhookSubscription subscription = WebhookSubscription.findById(id, LockModeType.PESSIMISTIC_WRITE);
        if (subscription == null || !caller.mayAccess(subscription.owner)) {
            throw ProblemException.notFound("No webhook subscription " + id + ".");
        }
        String secret = WebhookSecrets.newSecret();
        subscription.previousSecretEncrypted = subscription.secretEncrypted;
        subscription.previousSecretUntil = Instant.now().plus(settings.secretOverlap()).truncatedTo(ChronoUnit.MICROS);
        subscription.secretEncrypted = secrets.encrypt(subscription.id, secret);
        return new Created(subscription, secret);
    }

    /** Deletes the subscription with its deliveries and their attempts: nothing more is sent to it. */
    public void delete(Caller caller, UUID id) {
        WebhookSubscription subscription = get(caller, id);
        deliveries.forget(WebhookEvents.CHANNEL, id.toString());
        subscription.delete();
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    public OutboxDeliveries.Page deliveries(Caller caller, UUID id, int page, int size) {
        Paging.require(page, size);
        get(caller, id);
        return deliveries.page(WebhookEvents.CHANNEL, id.toString(), page, size);
    }

    /** Sends a delivery again now, with the same webhook-id, from the start of the retry schedule. */
    public OutboxDeliveries.Delivery redeliver(Caller caller, UUID id, long deliveryId) {
        WebhookSubscription subscription = get(caller, id);
        if (subscription.disabledAt != null) {
            throw ProblemException.conflict("Webhook subscription " + id + " is disabled (" + subscription.disabledReason
                    + "); create a new one to receive webhooks again.");
        }
        var delivery = deliveries.requeue(WebhookEvents.CHANNEL, id.toString(), deliveryId)
                .orElseThrow(() -> ProblemException.notFound("Webhook subscription " + id + " has no delivery " + deliveryId + "."));
        return delivery;
    }
}

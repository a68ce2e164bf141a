package dev.labprovisioner.webhook;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.labprovisioner.checkpoint.CheckpointStatus;
import dev.labprovisioner.checkpoint.CheckpointsValidated;
import dev.labprovisioner.checkpoint.rest.CheckpointView;
import dev.labprovisioner.lab.Lab;
import dev.labprovisioner.lab.LabTransitioned;
import dev.labprovisioner.lab.rest.LabView;
import dev.labprovisioner.learner.LearnerLinks;
import dev.labprovisioner.outbox.Outbox;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns lab and checkpoint changes into webhook events, written to the outbox in the transaction of the change (the
 * events are observed synchronously), one delivery per subscription of the lab's owner that wants the type.
 */
@ApplicationScoped
public class WebhookEvents {

    /** The outbox channel of webhooks. */
    public static final String CHANNEL = "webhook";

    private final Outbox outbox;
    private final LearnerLinks links;
    private final ObjectMapper json;

    WebhookEvents(Outbox outbox, LearnerLinks links, ObjectMapper json) {
        this.outbox = outbox;
        this.links = links;
        this.json = json;
    }

    void labTransitioned(@Observes LabTransitioned change) {
        Lab lab = change.lab();
        WebhookEventType type = switch (lab.state) {
            case READY -> WebhookEventType.LAB_READY;
            case FAILED -> WebhookEventType.LAB_FAILED;
            case DELETED -> WebhookEventType.LAB_DELETED;
            default -> null;
        };
        if (type != null) {
            publish(type, lab, Map.of());
        }
    }

    /**
     * {@code checkpoint.passed} the first time a checkpoint passes; {@code checkpoint.failed} for each validation of one
     * that has not passed yet and failed; {@code lab.completed} when the last REQUIRED checkpoint passes.
     */
    void checkpointsValidated(@Observes CheckpointsValidated validation) {
        for (String id : validation.validated()) {
            CheckpointView before = find(validation.before().checkpoints(), id);
            CheckpointView after = find(validation.after().checkpoints(), id);
            if (after.status() == CheckpointStatus.PASSED && before.status() != CheckpointStatus.PASSED) {
                publish(WebhookEventType.CHECKPOINT_PASSED, validation.lab(), Map.of("checkpoint", after));
            } else if (after.status() == CheckpointStatus.FAILED) {
                publish(WebhookEventType.CHECKPOINT_FAILED, validation.lab(), Map.of("checkpoint", after));
            }
        }
        if (!validation.before().completed() && validation.after().completed()) {
            publish(WebhookEventType.LAB_COMPLETED, validation.lab(), Map.of("progress", validation.after()));
        }
    }

    /** {@code lab.expiring}: in the caller's transaction, which has claimed the warning (see {@link LabExpiryWarnings}). */
    void labExpiring(Lab lab) {
        publish(WebhookEventType.LAB_EXPIRING, lab, Map.of());
    }

    private static CheckpointView find(List<CheckpointView> checkpoints, String id) {
        return checkpoints.stream().filter(c -> c.id().equals(id)).findFirst().orElseThrow();
    }

    /** The body: {@code {"type", "timestamp", "data": {"lab", ...more}}}, written once and sent as is on every attempt. */
    private void publish(WebhookEventType type, Lab lab, Map<String, Object> more) {
        List<String> subscriptions = WebhookSubscription.<WebhookSubscription>list("owner = ?1 and disabledAt is null", lab.owner).stream()
                .filter(s -> s.receives(type.type())).map(s -> s.id.toString()).toList();
        if (subscriptions.isEmpty()) {
            return;
        }
        var data = new LinkedHashMap<String, Object>();
        data.put("lab", LabView.of(lab, links.url(lab.id)));
        data.putAll(more);
        var body = new LinkedHashMap<String, Object>();
        body.put("type", type.type());
        body.put("timestamp", Instant.now().truncatedTo(ChronoUnit.MILLIS));
        body.put("data", data);
        try {
            outbox.append(type.type(), lab.id.toString(), json.writeValueAsString(body), CHANNEL, subscriptions);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}

package dev.labprovisioner.lti.ags;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.labprovisioner.lti.registration.LtiRegistration;
import dev.labprovisioner.outbox.OutboxDeliveries;
import dev.labprovisioner.problem.Paging;
import dev.labprovisioner.problem.ProblemException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;

/**
 * The scores sent (or being sent) to the platforms' gradebooks, for an admin: the {@code lti-ags} outbox deliveries with
 * what each carries, and a redeliver, as the webhooks have for their subscriptions.
 */
@ApplicationScoped
public class ScoreDeliveries {

    private static final Set<String> STATES = Set.of("PENDING", "DELIVERED", "FAILED");

    private final OutboxDeliveries deliveries;
    private final ObjectMapper json;

    ScoreDeliveries(OutboxDeliveries deliveries, ObjectMapper json) {
        this.deliveries = deliveries;
        this.json = json;
    }

    /** A score delivery: the outbox's record of it, the lab, and the score and its destination (null: written by a version that cannot be read). */
    public record Listed(OutboxDeliveries.Delivery delivery, UUID labId, ScoreDelivery score) {
    }

    public record Page(List<Listed> items, long total) {
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    public Page page(String state, int page, int size) {
        Paging.require(page, size);
        String wanted = null;
        if (state != null && !state.isBlank()) {
            wanted = state.strip().toUpperCase(Locale.ROOT);
            if (!STATES.contains(wanted)) {
                throw ProblemException.badRequest("'state' must be one of PENDING, DELIVERED, FAILED.");
            }
        }
        var result = deliveries.channelPage(ScoreEvents.CHANNEL, wanted, null, page, size);
        return new Page(result.items().stream().map(this::listed).toList(), result.total());
    }

    /** Sends a score again now, from the start of the retry schedule (the platform keeps the newest by its timestamp). */
    @Transactional
    public Listed redeliver(long id) {
        OutboxDeliveries.Sent sent = deliveries.channelPage(ScoreEvents.CHANNEL, null, id, 0, 1).items().stream().findFirst()
                .orElseThrow(() -> ProblemException.notFound("No LTI score delivery " + id + "."));
        ScoreDelivery score = listed(sent).score();
        if (score == null || LtiRegistration.findById(score.registrationId()) == null) {
            throw ProblemException.conflict("LTI score delivery " + id + " cannot be sent again: "
                    + (score == null ? "this version cannot read it." : "its LTI registration was removed."));
        }
        return listed(deliveries.requeue(ScoreEvents.CHANNEL, id)
                .orElseThrow(() -> ProblemException.notFound("No LTI score delivery " + id + ".")));
    }

    private Listed listed(OutboxDeliveries.Sent sent) {
        ScoreDelivery score;
        try {
            score = json.readValue(sent.body(), ScoreDelivery.class);
        } catch (JsonProcessingException e) {
            score = null;
        }
        UUID lab;
        try {
            lab = UUID.fromString(sent.orderingKey());
        } catch (IllegalArgumentException e) {
            lab = null;
        }
        return new Listed(sent.delivery(), lab, score);
    }
}

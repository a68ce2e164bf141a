package dev.labprovisioner.lti.ags;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.labprovisioner.checkpoint.CheckpointsValidated;
import dev.labprovisioner.checkpoint.rest.ProgressView;
import dev.labprovisioner.lab.Lab;
import dev.labprovisioner.lti.launch.LaunchService;
import dev.labprovisioner.lti.launch.LtiLaunch;
import dev.labprovisioner.lti.services.AdvantageServices;
import dev.labprovisioner.outbox.Outbox;
import dev.labprovisioner.template.LabTemplate;
import dev.labprovisioner.template.LabTemplateCatalog;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.UUID;

/**
 * Turns a lab's score changes into AGS scores, written to the outbox in the transaction that records the validation (the
 * event is observed synchronously, like the webhooks'), one per line item of the lab's LTI launches that carried the AGS
 * claim with the score scope. Sent: at the lab's first validation (Started), and whenever its score or completion changes.
 */
@ApplicationScoped
public class ScoreEvents {

    /** The outbox channel of AGS scores. */
    public static final String CHANNEL = "lti-ags";
    /** The outbox event type of a score. */
    public static final String TYPE = "lti.score";

    private final Outbox outbox;
    private final LabTemplateCatalog catalog;
    private final ObjectMapper json;

    ScoreEvents(Outbox outbox, LabTemplateCatalog catalog, ObjectMapper json) {
        this.outbox = outbox;
        this.catalog = catalog;
        this.json = json;
    }

    void checkpointsValidated(@Observes CheckpointsValidated validation) {
        ProgressView before = validation.before();
        ProgressView after = validation.after();
        boolean first = before.checkpoints().stream().allMatch(c -> c.attempts() == 0);
        if (!first && before.score() == after.score() && before.completed() == after.completed()) {
            return;
        }
        publish(validation.lab(), after);
    }

    /**
     * The lab's LTI links. A lab that replaced a launched one (an admin's reset, a relaunch after expiry) has none of its own
     * until the learner launches again: the link of its learner, course and template, which its owner names, moves to it,
     * so the learner's work on the replacement still reaches the gradebook.
     */
    private static List<LtiLaunch> links(Lab lab) {
        List<LtiLaunch> links = LtiLaunch.forLab(lab.id);
        if (!links.isEmpty() || lab.owner == null || !lab.owner.startsWith(LaunchService.OWNER_PREFIX)) {
            return links;
        }
        UUID registration;
        try {
            registration = UUID.fromString(lab.owner.substring(LaunchService.OWNER_PREFIX.length()));
        } catch (IllegalArgumentException e) {
            return links;
        }
        return LtiLaunch.find(registration, lab.learnerId, lab.courseId == null ? "" : lab.courseId, lab.template).map(link -> {
            link.labId = lab.id;
            return List.of(link);
        }).orElse(links);
    }

    private void publish(Lab lab, ProgressView progress) {
        List<LtiLaunch> launches = links(lab).stream().filter(ScoreEvents::gradable).toList();
        if (launches.isEmpty()) {
            return;
        }
        Instant now = Instant.now();
        String label = catalog.find(lab.template).map(LabTemplate::title).orElse(lab.template);
        var seen = new HashSet<List<Object>>();
        for (LtiLaunch launch : launches) {
            // Two links of one lab to the same line item would post the same score twice.
            if (!seen.add(List.of(launch.registrationId, String.valueOf(launch.agsLineitem), String.valueOf(launch.agsLineitems)))) {
                continue;
            }
            // A fresh lab's first, empty check (Started, Pending, 0) on a link that has already sent a score (a replacement
            // lab, a relaunch after expiry) would tell the gradebook to forget the grade it holds (Moodle keeps only
            // FullyGraded scores): not sent.
            if (progress.score() == 0 && !progress.completed() && sentBefore(launch)) {
                continue;
            }
            var delivery = new ScoreDelivery(launch.registrationId, launch.id, launch.contextId, launch.template, label, launch.agsLineitem,
                    launch.agsLineitems, launch.agsScopeList(), Score.of(launch.sub, progress, now));
            try {
                outbox.append(TYPE, lab.id.toString(), json.writeValueAsString(delivery), CHANNEL, List.of(launch.id.toString()));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private static boolean sentBefore(LtiLaunch launch) {
        return ((Number) LtiLaunch.getEntityManager().createNativeQuery(
                        "SELECT count(*) FROM outbox_deliveries WHERE channel = :channel AND destination = :destination")
                .setParameter("channel", CHANNEL).setParameter("destination", launch.id.toString()).getSingleResult()).longValue() > 0;
    }

    /** The launch gave a line item (or a container to find one in) and the scope to post scores. */
    static boolean gradable(LtiLaunch launch) {
        return (launch.agsLineitem != null || launch.agsLineitems != null) && launch.agsScopeList().contains(AdvantageServices.SCOPE_SCORE);
    }
}

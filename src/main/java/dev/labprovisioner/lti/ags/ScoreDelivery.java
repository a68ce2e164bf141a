package dev.labprovisioner.lti.ags;

import java.util.List;
import java.util.UUID;

/**
 * What the outbox holds for one score: the score as it will be POSTed, and where it goes as the launch said when the
 * score changed (the line item, or the context's line items container to find or make it in, and the scopes granted).
 */
public record ScoreDelivery(UUID registrationId, long launchId, String contextId, String template, String label, String lineitem,
                            String lineitems, List<String> scopes, Score score) {
}

package dev.labprovisioner.timeline;

import dev.labprovisioner.Api;
import io.agroal.api.AgroalDataSource;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The timeline marks a creation it saw long after the object was made (the service was down, or a watch
 * re-listed) as late: ordering checks then treat its place in the order as unknown instead of guessing.
 */
@QuarkusTest
class TimelineTests {

    @Inject
    TimelineRecorder recorder;

    @Inject
    AgroalDataSource dataSource;

    @Test
    void aCreationSeenLongAfterItHappenedIsMarkedLate() throws Exception {
        String lms = Api.lmsClient();
        var created = Api.createLab(lms, Api.unique("late"), null).statusCode(202).extract();
        String id = created.path("id");
        String ns = created.path("namespace");
        Api.awaitState(lms, id, "READY");
        // A pod the service first sees two minutes after it was made: what a restart's re-list hands over (the
        // in-process API stamps every create with its own time, so the informer's hand-over is played here).
        String twoMinutesAgo = Instant.now().minus(Duration.ofMinutes(2)).truncatedTo(ChronoUnit.SECONDS).toString();
        recorder.podListed(new PodBuilder().withNewMetadata().withName("old-pod-0").withNamespace(ns).withUid(UUID.randomUUID().toString())
                .withCreationTimestamp(twoMinutesAgo).endMetadata()
                .withNewSpec().addNewContainer().withName("c").withImage("busybox").endContainer().endSpec().build());

        await().atMost(Duration.ofSeconds(10)).until(() -> late(id, "old-pod-0") != null);
        assertThat(late(id, "old-pod-0")).isTrue();
        assertThat(late(id, "postgres-0")).isFalse();
    }

    private Boolean late(String labId, String name) throws Exception {
        try (Connection c = dataSource.getConnection();
             var q = c.prepareStatement("SELECT late FROM lab_timeline WHERE lab_id = ? AND name = ? AND event = 'CREATED'")) {
            q.setObject(1, UUID.fromString(labId));
            q.setString(2, name);
            try (var rs = q.executeQuery()) {
                return rs.next() ? rs.getBoolean(1) : null;
            }
        }
    }
}

package dev.labprovisioner.timeline;

import dev.labprovisioner.Api;
import dev.labprovisioner.lab.Lab;
import io.agroal.api.AgroalDataSource;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

/** Old labs' event history goes after labs.history.keep; their grades stay. */
@QuarkusTest
class HistoryPrunerTests {

    @Inject
    HistoryPruner pruner;

    @Inject
    AgroalDataSource dataSource;

    @Test
    void aLabDeletedLongAgoLosesItsTimelineButKeepsItsResults() throws Exception {
        String lms = Api.lmsClient();
        String old = deletedLabWithHistory(lms);
        String recent = deletedLabWithHistory(lms);
        // The old lab was deleted 31 days ago (the default keep is 30 days).
        QuarkusTransaction.requiringNew().run(() -> Lab.update("deletedAt = ?1 where id = ?2",
                Instant.now().minus(Duration.ofDays(31)), UUID.fromString(old)));

        pruner.prune();

        assertThat(rows("lab_timeline", old)).isZero();
        assertThat(rows("checkpoint_validations", old)).isZero();
        assertThat(rows("lab_timeline", recent)).isPositive();
        assertThat(rows("checkpoint_validations", recent)).isPositive();
        Api.as(lms).get("/api/v1/labs/" + old + "/progress").then().statusCode(200)
                .body("checkpoints.find { it.id == 'stable-identity' }.status", equalTo("PASSED"))
                .body("score", equalTo(10));
    }

    private String deletedLabWithHistory(String lms) {
        String id = Api.createLab(lms, Api.unique("pruned"), null).statusCode(202).extract().path("id");
        Api.awaitState(lms, id, "READY");
        Api.as(lms).post("/api/v1/labs/" + id + "/checkpoints/stable-identity/validate").then().statusCode(200)
                .body("status", equalTo("PASSED"));
        Api.as(lms).delete("/api/v1/labs/" + id).then().statusCode(202);
        Api.awaitState(lms, id, "DELETED");
        return id;
    }

    private long rows(String table, String labId) throws Exception {
        try (Connection c = dataSource.getConnection();
             var q = c.prepareStatement("SELECT count(*) FROM " + table + " WHERE lab_id = ?")) {
            q.setObject(1, UUID.fromString(labId));
            try (var rs = q.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}

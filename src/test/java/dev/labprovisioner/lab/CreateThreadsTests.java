package dev.labprovisioner.lab;

import dev.labprovisioner.Api;
import dev.labprovisioner.reconcile.WaitingCallers;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static dev.labprovisioner.Api.createLab;
import static dev.labprovisioner.Api.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

/**
 * A burst of creates runs its SQL on a few threads ({@code labs.api.create-threads}) and the rest wait their turn:
 * the burst holds no more database connections than that, reads are answered meanwhile, and every create is
 * answered once the database lets them through.
 */
@QuarkusTest
class CreateThreadsTests {

    @Inject
    AgroalDataSource dataSource;

    @Inject
    WaitingCallers callers;

    @ConfigProperty(name = "labs.api.create-threads")
    int createThreads;

    @Test
    void aBurstOfCreatesHoldsAtMostTheCreateThreadsInTheDatabaseAndReadsGoOnMeanwhile() throws Exception {
        String lms = Api.lmsClient();
        String course = unique("burst");
        int burst = createThreads + 6;
        ExecutorService lmsWorkers = Executors.newFixedThreadPool(burst);
        List<Future<Response>> creates;
        try (Connection holder = dataSource.getConnection()) {
            creates = sendWhileInsertsWait(holder, lmsWorkers, lms, course, burst);
            Api.as(lms).get("/api/v1/labs?courseId=" + course).then().statusCode(200).body("total", equalTo(0));
            assertThat(insertsWaiting()).isEqualTo(createThreads);
            assertThat(creates).noneMatch(Future::isDone);
            holder.rollback();
        }
        var ids = new HashSet<String>();
        for (var create : creates) {
            Response answer = create.get(30, TimeUnit.SECONDS);
            assertThat(answer.statusCode()).isEqualTo(202);
            assertThat(answer.header("Location")).startsWith("http").endsWith("/api/v1/labs/" + answer.path("id"));
            ids.add(answer.path("id"));
        }
        lmsWorkers.shutdown();
        assertThat(ids).hasSize(burst);
        Api.as(lms).get("/api/v1/labs?courseId=" + course).then().statusCode(200).body("total", equalTo(burst));
        ids.forEach(id -> Api.as(lms).delete("/api/v1/labs/" + id).then().statusCode(202));
    }

    @Test
    void aCreateThatWaitedTooLongForAThreadIsAnswered503AndNeverRuns() throws Exception {
        String lms = Api.lmsClient();
        String course = unique("stuck");
        int burst = createThreads + 1;
        ExecutorService lmsWorkers = Executors.newFixedThreadPool(burst);
        List<Future<Response>> creates;
        try (Connection holder = dataSource.getConnection()) {
            creates = sendWhileInsertsWait(holder, lmsWorkers, lms, course, burst);
            // Every thread is stuck in the database: the one create still queued gets its answer when its time is up.
            await().atMost(Duration.ofSeconds(30)).until(() -> creates.stream().anyMatch(Future::isDone));
            Response refused = creates.stream().filter(Future::isDone).findFirst().orElseThrow().get();
            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(refused.contentType()).startsWith("application/problem+json");
            holder.rollback();
        } finally {
            lmsWorkers.shutdown();
        }
        int accepted = 0;
        for (var create : creates) {
            if (create.get(30, TimeUnit.SECONDS).statusCode() == 202) {
                accepted++;
            }
        }
        assertThat(accepted).isEqualTo(createThreads);
        // The refused create made nothing, then or later.
        Api.as(lms).get("/api/v1/labs?courseId=" + course).then().statusCode(200).body("total", equalTo(createThreads));
    }

    /**
     * Holds inserts into labs (reads go on) until {@code holder}'s transaction ends, a database slower than the
     * burst, and sends {@code burst} creates; returns once all are being answered and as many as there are create
     * threads got as far as the database.
     */
    private List<Future<Response>> sendWhileInsertsWait(Connection holder, ExecutorService lmsWorkers, String lms, String course, int burst)
            throws Exception {
        holder.setAutoCommit(false);
        try (Statement s = holder.createStatement()) {
            s.execute("LOCK TABLE labs IN EXCLUSIVE MODE");
        }
        List<Future<Response>> creates = new ArrayList<>();
        for (int i = 0; i < burst; i++) {
            String learner = "learner-" + i;
            creates.add(lmsWorkers.submit(() -> createLab(lms, learner, course).extract().response()));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> callers.writes() >= burst && insertsWaiting() == createThreads);
        return creates;
    }

    /** Creates whose insert is waiting for the lock in PostgreSQL, each on a connection of its own. */
    private int insertsWaiting() throws Exception {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%INSERT INTO labs%'")) {
            r.next();
            return r.getInt(1);
        }
    }
}

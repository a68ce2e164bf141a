package dev.labprovisioner.sandboxclient;

import dev.labprovisioner.Api;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.ValidatableResponse;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.lessThan;

/** The sandbox's "psql": rows as JSON, errors as problems, and limits a learner's SQL cannot lift. */
@QuarkusTest
class SandboxSqlTests {

    private String token;

    @BeforeEach
    void lab() {
        String lms = Api.lmsClient();
        var created = Api.createLab(lms, Api.unique("sql"), null).statusCode(202).extract();
        Api.awaitState(lms, created.path("id"), "READY");
        String url = created.path("learnerUrl");
        token = url.substring(url.lastIndexOf('/') + 1);
    }

    private ValidatableResponse sql(String pod, String text) {
        return RestAssured.given().contentType("text/plain").body(text).post("/learn/" + token + "/pods/" + pod + "/sql").then();
    }

    @Test
    void statementsAnswerWithRowsOrCounts() {
        sql("postgres-0", "CREATE TABLE t (id int, name text); INSERT INTO t VALUES (1, 'a'), (2, NULL); SELECT * FROM t ORDER BY id")
                .statusCode(200).body("pod", equalTo("postgres-0"))
                .body("results[1].updateCount", equalTo(2))
                .body("results[2].columns", equalTo(List.of("id", "name")))
                .body("results[2].rows[0]", equalTo(List.of(1, "a")))
                .body("results[2].rows[1][1]", equalTo(null))
                .body("results[2].truncated", equalTo(false));
    }

    @Test
    void errorsAreProblemsWithTheDatabasesMessage() {
        sql("postgres-0", "SELECT * FROM nowhere").statusCode(400).contentType("application/problem+json")
                .body("title", equalTo("SQL error")).body("detail", containsString("relation \"nowhere\" does not exist"));
        sql("postgres-0", "   ").statusCode(400).contentType("application/problem+json");
        sql("postgres-7", "SELECT 1").statusCode(404).contentType("application/problem+json").body("detail", containsString("postgres-7"));
    }

    @Test
    void theLimitsHoldAgainstTheLearnersOwnSettings() {
        long start = System.nanoTime();
        sql("postgres-0", "SET statement_timeout = 0; SELECT pg_sleep(60)").statusCode(400)
                .body("detail", containsString("was cancelled"));
        org.assertj.core.api.Assertions.assertThat((System.nanoTime() - start) / 1_000_000_000L).isLessThan(30);
        sql("postgres-0", "SELECT repeat('x', 100000) AS big").statusCode(200)
                .body("results[0].rows[0][0]", endsWith("(100000 characters)"))
                .body("results[0].rows[0][0].length()", lessThan(5000));
        sql("postgres-0", "SELECT g FROM generate_series(1, 2000) g").statusCode(200)
                .body("results[0].rows.size()", equalTo(500)).body("results[0].truncated", equalTo(true));
        sql("postgres-0", "COPY (SELECT 1) TO PROGRAM 'id'").statusCode(400).contentType("application/problem+json");
    }
}

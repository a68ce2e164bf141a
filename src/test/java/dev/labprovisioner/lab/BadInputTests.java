package dev.labprovisioner.lab;

import dev.labprovisioner.Api;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import java.util.stream.Stream;

import static dev.labprovisioner.Api.as;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.emptyOrNullString;

/** DESIGN §6: every bad input gets a clear 4xx problem+json and changes nothing. */
@QuarkusTest
class BadInputTests {

    static String lms;

    @BeforeEach
    void client() {
        if (lms == null) {
            lms = Api.lmsClient();
        }
    }

    static Stream<Arguments> badCreates() {
        return Stream.of(
                Arguments.of("unknown template", "{\"learnerId\":\"ann\",\"template\":\"mongodb-lab\"}", 400, "Unknown lab template"),
                Arguments.of("no template", "{\"learnerId\":\"ann\"}", 400, "'template' is required"),
                Arguments.of("malformed JSON", "{\"learnerId\": \"ann\", ", 400, "not valid JSON"),
                Arguments.of("not an object", "[1,2,3]", 400, "wrong type"),
                Arguments.of("wrong type", "{\"learnerId\":\"ann\",\"template\":\"postgres-statefulset\",\"ttlMinutes\":\"soon\"}", 400, "ttlMinutes"),
                Arguments.of("no body", "", 400, "required"),
                Arguments.of("empty learner", "{\"learnerId\":\"\",\"template\":\"postgres-statefulset\"}", 400, "must not be empty"),
                Arguments.of("blank learner", "{\"learnerId\":\"   \",\"template\":\"postgres-statefulset\"}", 400, "must not be empty"),
                Arguments.of("missing learner", "{\"template\":\"postgres-statefulset\"}", 400, "'learnerId' is required"),
                Arguments.of("too long learner", "{\"learnerId\":\"" + "a".repeat(129) + "\",\"template\":\"postgres-statefulset\"}", 400, "at most 128"),
                Arguments.of("learner with slashes", "{\"learnerId\":\"../../etc/passwd\",\"template\":\"postgres-statefulset\"}", 400, "may hold only"),
                Arguments.of("learner with spaces", "{\"learnerId\":\"Ann Smith\",\"template\":\"postgres-statefulset\"}", 400, "may hold only"),
                Arguments.of("learner with markup", "{\"learnerId\":\"<script>x</script>\",\"template\":\"postgres-statefulset\"}", 400, "may hold only"),
                Arguments.of("learner non-ASCII", "{\"learnerId\":\"émile☃\",\"template\":\"postgres-statefulset\"}", 400, "may hold only"),
                Arguments.of("bad course", "{\"learnerId\":\"ann\",\"courseId\":\"a b\",\"template\":\"postgres-statefulset\"}", 400, "'courseId'"),
                Arguments.of("ttl zero", "{\"learnerId\":\"ann\",\"template\":\"postgres-statefulset\",\"ttlMinutes\":0}", 400, "'ttlMinutes'"),
                Arguments.of("ttl too long", "{\"learnerId\":\"ann\",\"template\":\"postgres-statefulset\",\"ttlMinutes\":100000}", 400, "'ttlMinutes'"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badCreates")
    void aBadCreateIsRefusedAndCreatesNothing(String name, String body, int status, String detail) {
        long before = total();
        as(lms).body(body).post("/api/v1/labs").then()
                .statusCode(status)
                .contentType("application/problem+json")
                .body("status", equalTo(status))
                .body("title", not(emptyOrNullString()))
                .body("detail", org.hamcrest.Matchers.containsString(detail));
        assertThat(total()).isEqualTo(before);
    }

    @Test
    void aBadIdempotencyKeyIsRefused() {
        long before = total();
        as(lms).header("Idempotency-Key", "x".repeat(201)).body("{\"learnerId\":\"ann\",\"template\":\"postgres-statefulset\"}")
                .post("/api/v1/labs").then().statusCode(400).contentType("application/problem+json");
        assertThat(total()).isEqualTo(before);
    }

    @Test
    void wrongCredentialsAreRefusedAndCreateNothing() {
        long before = total();
        String body = "{\"learnerId\":\"ann\",\"template\":\"postgres-statefulset\"}";
        given().contentType(ContentType.JSON).body(body).post("/api/v1/labs").then().statusCode(401).contentType("application/problem+json");
        as("lps_not-a-real-secret").body(body).post("/api/v1/labs").then().statusCode(401).contentType("application/problem+json");
        given().header("Authorization", "Basic YTpi").contentType(ContentType.JSON).body(body).post("/api/v1/labs").then().statusCode(401);
        as(Api.newClient("labs:read")).body(body).post("/api/v1/labs").then().statusCode(403).contentType("application/problem+json");
        assertThat(total()).isEqualTo(before);
    }

    @Test
    void badPathsAndQueriesAreProblems() {
        as(lms).get("/api/v1/labs/not-a-uuid").then().statusCode(404).contentType("application/problem+json");
        as(lms).get("/api/v1/labs/00000000-0000-4000-8000-000000000000").then().statusCode(404).contentType("application/problem+json");
        as(lms).queryParam("state", "SLEEPING").get("/api/v1/labs").then().statusCode(400).contentType("application/problem+json");
        as(lms).queryParam("size", 1000).get("/api/v1/labs").then().statusCode(400).contentType("application/problem+json");
        as(lms).queryParam("page", "x").get("/api/v1/labs").then().statusCode(400).contentType("application/problem+json");
        as(lms).contentType(ContentType.TEXT).body("hello").post("/api/v1/labs").then().statusCode(415).contentType("application/problem+json");
        given().get("/learn/garbage").then().statusCode(404).contentType("application/problem+json");
    }

    @Test
    void badClientRequestsAreRefused() {
        Api.asAdmin().body("{\"name\":\"x\",\"scopes\":[\"root\"]}").post("/api/v1/admin/clients").then().statusCode(400)
                .contentType("application/problem+json");
        Api.asAdmin().body("{\"name\":\"\",\"scopes\":[\"admin\"]}").post("/api/v1/admin/clients").then().statusCode(400);
        as(lms).body("{\"name\":\"x\",\"scopes\":[\"admin\"]}").post("/api/v1/admin/clients").then().statusCode(403);
    }

    private static long total() {
        return Api.asAdmin().get("/api/v1/labs?size=1").then().statusCode(200).extract().<Integer>path("total").longValue();
    }
}

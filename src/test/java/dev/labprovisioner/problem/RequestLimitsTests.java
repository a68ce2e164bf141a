package dev.labprovisioner.problem;

import dev.labprovisioner.Api;
import dev.labprovisioner.RawHttp;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 13: no 5xx from input, and no answer without a body. Requests past the size limits (labs.limits.*) and URLs or
 * bodies that are not UTF-8 get a 4xx problem+json and create nothing. Sent over a raw socket: an HTTP client library
 * would refuse to send most of them.
 */
@QuarkusTest
class RequestLimitsTests {

    private static final String CREATE = "{\"learnerId\":\"%s\",\"template\":\"postgres-statefulset\"}";

    static String lms;
    RawHttp http;

    @BeforeEach
    void client() {
        if (lms == null) {
            lms = Api.lmsClient();
        }
        http = RawHttp.toService();
    }

    @Test
    void aLongUrlIsA414ProblemUpToTheCodecsCeiling() {
        // 4,097 characters: one past the limit. 60,000: Vert.x's own limit was 4,096, and answered 414 with no body.
        for (int length : new int[]{4097, 60_000}) {
            String target = "/api/v1/labs?learnerId=" + "a".repeat(length - "/api/v1/labs?learnerId=".length());
            var response = http.send("GET", target, null, "Authorization: Bearer " + lms);
            assertProblem(response, 414, "at most 4096");
        }
        // at the limit the URL is read, and its filter judged as usual
        String atLimit = "/api/v1/labs?learnerId=" + "a".repeat(4096 - "/api/v1/labs?learnerId=".length());
        assertProblem(http.send("GET", atLimit, null, "Authorization: Bearer " + lms), 400, "'learnerId'");
    }

    @Test
    void pastTheCodecsCeilingVertxStillAnswers414WithoutABody() {
        // The documented edge: Vert.x refuses a request line past 64 KB itself, before any route runs.
        var response = http.send("GET", "/api/v1/labs?learnerId=" + "a".repeat(70_000), null);
        assertThat(response.status()).isEqualTo(414);
        assertThat(response.body()).isEmpty();
    }

    @Test
    void largeHeadersAreA431Problem() {
        long before = total();
        // 25 KB: past the 20 KB limit and past Vert.x's old 20 KB limit, where the answer was a bare 431.
        var response = http.send("POST", "/api/v1/labs", CREATE.formatted(Api.unique("hdr")),
                "Authorization: Bearer " + lms, "Content-Type: application/json", "X-Filler: " + "x".repeat(25_000));
        assertProblem(response, 431, "at most 20480");
        // spread over many headers, too
        String[] many = new String[300];
        for (int i = 0; i < many.length; i++) {
            many[i] = "X-Filler-" + i + ": " + "y".repeat(80);
        }
        assertProblem(http.send("GET", "/api/v1/labs", null, many), 431, "headers");
        assertThat(total()).isEqualTo(before);
    }

    @Test
    void aLargeBodyIsA413ProblemWithALengthOrChunked() {
        long before = total();
        // a valid create with 2 MB of padding in an unknown field: refused by size before it is read
        String body = "{\"learnerId\":\"" + Api.unique("big") + "\",\"template\":\"postgres-statefulset\",\"padding\":\""
                + "p".repeat(2 * 1024 * 1024) + "\"}";
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        for (boolean chunked : new boolean[]{false, true}) {
            var response = http.send("POST", "/api/v1/labs".getBytes(StandardCharsets.US_ASCII), bytes, chunked,
                    "Authorization: Bearer " + lms, "Content-Type: application/json");
            assertProblem(response, 413, "at most 1048576");
        }
        assertThat(total()).isEqualTo(before);
    }

    @Test
    void invalidUtf8InAJsonBodyIsA400AndCreatesNothing() {
        long before = total();
        for (byte[] bad : new byte[][]{{(byte) 0xC3, 0x28}, {(byte) 0xFF}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80}}) {
            var body = new ByteArrayOutputStream();
            body.writeBytes("{\"learnerId\":\"ann".getBytes(StandardCharsets.US_ASCII));
            body.writeBytes(bad);
            body.writeBytes("\",\"template\":\"postgres-statefulset\"}".getBytes(StandardCharsets.US_ASCII));
            var response = http.send("POST", "/api/v1/labs".getBytes(StandardCharsets.US_ASCII), body.toByteArray(), false,
                    "Authorization: Bearer " + lms, "Content-Type: application/json");
            assertProblem(response, 400, "");
        }
        assertThat(total()).isEqualTo(before);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "/api/v1/labs?learnerId=%C3%28", "/api/v1/labs?learnerId=%FF", "/api/v1/labs?courseId=ab%E2%82",
            "/api/v1/labs?state=%FF", "/api/v1/labs/%FF", "/api/v1/labs/%C3%28/events", "/api/v1/admin/courses/%FF/progress",
            "/learn/%FF", "/learn/%C3%28/progress", "/api/v1/templates?x=%80"})
    void aUrlThatIsNotUtf8IsA400(String target) {
        var response = http.send("GET", target, null, "Authorization: Bearer " + Api.ADMIN_TOKEN);
        assertProblem(response, 400, "URL");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/api/v1/labs?learnerId=%G1", "/api/v1/labs?learnerId=a%", "/api/v1/labs/%ZZ", "/api/v1/labs?learnerId=a b"})
    void aUrlThatIsNotEvenUrlSyntaxIsRefusedByQuarkusWithAnEmpty400(String target) {
        // The documented edge: Quarkus parses the URL (java.net.URI) before any route and answers 400 with no body.
        var response = http.send("GET", target, null, "Authorization: Bearer " + Api.ADMIN_TOKEN);
        assertThat(response.status()).as(response.toString()).isEqualTo(400);
        assertThat(response.body()).isEmpty();
    }

    @Test
    void rawBytesThatAreNotUtf8InTheRequestLineAreA400() {
        byte[] target = "/api/v1/labs?learnerId=a\u00ffb".getBytes(StandardCharsets.ISO_8859_1);
        var response = http.send("GET", target, null, false, "Authorization: Bearer " + Api.ADMIN_TOKEN);
        assertThat(response.status()).isBetween(400, 499);
    }

    @Test
    void aCreateWithinTheLimitsStillWorks() {
        String learner = Api.unique("fits");
        var response = http.send("POST", "/api/v1/labs", CREATE.formatted(learner),
                "Authorization: Bearer " + lms, "Content-Type: application/json", "X-Filler: " + "x".repeat(15_000));
        assertThat(response.status()).as(response.toString()).isEqualTo(202);
        // a chunked body within the limit is read as any other
        var chunked = http.send("POST", "/api/v1/labs".getBytes(StandardCharsets.US_ASCII),
                CREATE.formatted(Api.unique("chunked")).getBytes(StandardCharsets.UTF_8), true,
                "Authorization: Bearer " + lms, "Content-Type: application/json");
        assertThat(chunked.status()).as(chunked.toString()).isEqualTo(202);
        assertThat(JsonPath.from(chunked.body()).getString("state")).isEqualTo("REQUESTED");
        // percent-encoded UTF-8 is fine (and then judged by the id rules)
        assertProblem(http.send("GET", "/api/v1/labs?learnerId=%C3%A9mile", null, "Authorization: Bearer " + lms), 400, "may hold only");
    }

    private static void assertProblem(RawHttp.Response response, int status, String detail) {
        assertThat(response.status()).as(response.toString()).isEqualTo(status);
        assertThat(response.contentType()).as(response.toString()).isEqualTo("application/problem+json");
        var json = JsonPath.from(response.body());
        assertThat(json.getInt("status")).isEqualTo(status);
        assertThat(json.getString("title")).isNotBlank();
        assertThat(json.getString("detail")).contains(detail);
    }

    private static long total() {
        return Api.asAdmin().get("/api/v1/labs?size=1").then().statusCode(200).extract().<Integer>path("total").longValue();
    }
}

package dev.labprovisioner.lti;

import com.nimbusds.jose.jwk.RSAKey;
import dev.labprovisioner.Api;
import dev.labprovisioner.lab.Lab;
import dev.labprovisioner.lti.launch.LtiLaunch;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * LTI 1.3 login and launch against a fake platform over real HTTP (issue 11, items 3 and 7): a learner's launch opens
 * their lab, again the same one; an instructor's shows the course's progress; every bad launch is a 4xx page that makes
 * no lab.
 */
@QuarkusTest
class LtiLaunchTests {

    static FakePlatform platform;

    @BeforeAll
    static void platform() {
        platform = new FakePlatform();
    }

    @AfterAll
    static void stop() {
        platform.close();
    }

    private static void registered() {
        platform.ensureRegistered("postgres-statefulset");
    }

    @Test
    void aLearnersLaunchOpensTheirLabAndTheNextLaunchTheSameOne() {
        registered();
        String sub = "learner-" + UUID.randomUUID();
        String course = Api.unique("course");
        var form = platform.login(platform.resourceLink(sub, course));
        // What the tool sent to the platform's authorization endpoint (the platform checked the rest).
        assertThat(form.authorization()).containsEntry("scope", "openid").containsEntry("response_mode", "form_post")
                .containsEntry("prompt", "none").containsEntry("client_id", platform.clientId).containsKeys("state", "nonce");
        assertThat(form.authorization().get("redirect_uri")).endsWith("/lti/launch");

        Response launch = form.post();
        assertThat(launch.statusCode()).isEqualTo(303);
        String page = launch.header("Location");
        assertThat(page).contains("/learn/");
        String path = page.substring(page.indexOf("/learn/"));
        // The learner page at once: the lab is still being prepared.
        String html = RestAssured.given().accept("text/html").get(path).then().statusCode(200).extract().asString();
        assertThat(html).contains("being prepared");

        List<Lab> labs = labsOf(sub);
        assertThat(labs).hasSize(1);
        Lab lab = labs.get(0);
        assertThat(lab.courseId).isEqualTo(course);
        assertThat(lab.template).isEqualTo("postgres-statefulset");
        assertThat(lab.owner).isEqualTo("lti:" + platform.registrationId());
        LtiLaunch link = launchOf(sub);
        assertThat(link.labId).isEqualTo(lab.id);
        assertThat(link.contextId).isEqualTo(course);
        assertThat(link.resourceLinkId).isEqualTo("link-" + course);
        assertThat(link.agsLineitem).isEqualTo(platform.url("/contexts/" + course + "/lineitems/1"));
        assertThat(link.agsLineitems).isEqualTo(platform.url("/contexts/" + course + "/lineitems"));
        assertThat(link.agsScopeList()).containsExactly("https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
                "https://purl.imsglobal.org/spec/lti-ags/scope/score");
        assertThat(link.nrpsMembershipsUrl).isEqualTo(platform.url("/contexts/" + course + "/memberships"));
        assertThat(link.roles).isEqualTo(LtiClaims.ROLE_LEARNER);

        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> RestAssured.given().accept("text/html").get(path).asString().contains("Download your kubeconfig"));

        // Launching again (the next day, another tab) opens the same lab.
        Response again = platform.login(platform.resourceLink(sub, course)).post();
        assertThat(again.statusCode()).isEqualTo(303);
        assertThat(again.header("Location")).isEqualTo(page);
        assertThat(labsOf(sub)).hasSize(1);
    }

    @Test
    void aTemplateCustomParameterOpensThatLab() {
        registered();
        String sub = "learner-" + UUID.randomUUID();
        var claims = platform.resourceLink(sub, Api.unique("course"));
        claims.put(LtiClaims.CUSTOM, Map.of("template", "one-checkpoint"));
        assertThat(platform.login(claims).post().statusCode()).isEqualTo(303);
        assertThat(labsOf(sub)).singleElement().extracting(l -> l.template).isEqualTo("one-checkpoint");

        var unknown = platform.resourceLink("learner-" + UUID.randomUUID(), Api.unique("course"));
        unknown.put(LtiClaims.CUSTOM, Map.of("template", "no-such-lab"));
        Response refused = platform.login(unknown).post();
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(refused.asString()).contains("no-such-lab");
    }

    @Test
    void anInstructorsLaunchShowsTheCourseProgressAndMakesNoLab() {
        registered();
        String course = Api.unique("course");
        String ann = "ann-" + UUID.randomUUID();
        String bob = "bob-" + UUID.randomUUID();
        assertThat(platform.login(platform.resourceLink(ann, course)).post().statusCode()).isEqualTo(303);
        assertThat(platform.login(platform.resourceLink(bob, course)).post().statusCode()).isEqualTo(303);
        // Ann's lab passes its first checkpoint.
        UUID annLab = labsOf(ann).get(0).id;
        Api.awaitState(Api.ADMIN_TOKEN, annLab.toString(), "READY");
        Api.asAdmin().post("/api/v1/labs/" + annLab + "/checkpoints/stable-identity/validate").then().statusCode(200);

        String teacher = "teacher-" + UUID.randomUUID();
        Response page = platform.login(platform.resourceLink(teacher, course, LtiClaims.ROLE_INSTRUCTOR, LtiClaims.ROLE_LEARNER)).post();
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.contentType()).startsWith("text/html");
        assertThat(page.header("Content-Security-Policy")).contains("script-src 'self'").contains("frame-ancestors");
        String html = page.asString();
        assertThat(html).doesNotContain("<script");
        int checkpoints = Api.asAdmin().get("/api/v1/templates").then().extract().jsonPath()
                .getList("find { it.id == 'postgres-statefulset' }.checkpoints").size();
        assertThat(html.split("data-checkpoint=\"", -1)).hasSize(checkpoints + 1);
        assertThat(row(html, ann)).contains("data-status=\"PASSED\"").contains("READY");
        assertThat(row(html, bob)).doesNotContain("data-status=\"PASSED\"");
        assertThat(html).doesNotContain("data-learner=\"" + teacher + "\"");
        assertThat(labsOf(teacher)).isEmpty();

        // An administrator of the institution, in a course nobody opened yet: an empty table, not an error.
        Response empty = platform.login(platform.resourceLink("admin-" + UUID.randomUUID(), Api.unique("course"),
                LtiClaims.ROLE_INSTITUTION_ADMINISTRATOR)).post();
        assertThat(empty.statusCode()).isEqualTo(200);
        assertThat(empty.asString()).contains("No learner has opened this lab yet");
    }

    /** One bad launch: what to change, and what the page must say. */
    record Bad(String name, Function<String, Response> launch, int status, String says, int labs) {
        Bad(String name, Function<String, Response> launch, int status, String says) {
            this(name, launch, status, says, 0);
        }
    }

    @Test
    void everyBadLaunchIsRefusedWithAPageAndMakesNoLab() throws Exception {
        registered();
        RSAKey foreign = FakePlatform.newKey("foreign-key");
        var bads = List.of(
                new Bad("bad signature", sub -> {
                    var form = platform.login(platform.resourceLink(sub, "c1"));
                    String token = form.idToken();
                    int last = token.length() - 5;
                    return form.withIdToken(token.substring(0, last) + (token.charAt(last) == 'A' ? 'B' : 'A') + token.substring(last + 1)).post();
                }, 401, "signature"),
                new Bad("foreign kid", sub -> platform.login(platform.resourceLink(sub, "c1"), foreign).post(), 401, "kid"),
                new Bad("key of the platform's, but not the kid it names", sub -> {
                    RSAKey impostor = new RSAKey.Builder(foreign).keyID(platform.key().getKeyID()).build();
                    return platform.login(platform.resourceLink(sub, "c1"), impostor).post();
                }, 401, "signature"),
                new Bad("wrong aud", sub -> platform.login(with(platform.resourceLink(sub, "c1"), "aud", "another-tool", "azp", null)).post(),
                        401, "audience"),
                new Bad("several audiences, no azp", sub -> platform.login(with(platform.resourceLink(sub, "c1"),
                        "aud", List.of(platform.clientId, "another-tool"), "azp", null)).post(), 401, "azp"),
                new Bad("wrong iss", sub -> platform.login(with(platform.resourceLink(sub, "c1"), "iss", "https://evil.example")).post(), 401, "issuer"),
                new Bad("expired", sub -> platform.login(with(platform.resourceLink(sub, "c1"),
                        "exp", Date.from(Instant.now().minusSeconds(600)), "iat", Date.from(Instant.now().minusSeconds(900)))).post(), 401, "expired"),
                new Bad("issued in the future", sub -> platform.login(with(platform.resourceLink(sub, "c1"),
                        "iat", Date.from(Instant.now().plusSeconds(3600)), "exp", Date.from(Instant.now().plusSeconds(4000)))).post(), 401, "iat"),
                new Bad("no nonce", sub -> platform.login(with(platform.resourceLink(sub, "c1"), "nonce", null)).post(), 401, "nonce"),
                new Bad("unknown deployment", sub -> platform.login(with(platform.resourceLink(sub, "c1"),
                        LtiClaims.DEPLOYMENT_ID, "deployment-2")).post(), 401, "deployment"),
                new Bad("wrong version", sub -> platform.login(with(platform.resourceLink(sub, "c1"), LtiClaims.VERSION, "1.1.0")).post(), 400, "1.3.0"),
                new Bad("wrong message type", sub -> platform.login(with(platform.resourceLink(sub, "c1"),
                        LtiClaims.MESSAGE_TYPE, "LtiSubmissionReviewRequest")).post(), 400, "LtiSubmissionReviewRequest"),
                new Bad("missing sub", sub -> platform.login(with(platform.resourceLink(sub, "c1"), "sub", null)).post(), 400, "sub"),
                new Bad("a sub that cannot be a learner id", sub -> platform.login(with(platform.resourceLink(sub, "c1"), "sub", "../" + sub)).post(),
                        400, "user id"),
                new Bad("unknown state", sub -> platform.login(platform.resourceLink(sub, "c1")).withState("no-such-state").post(), 400, "state"),
                new Bad("no id_token", sub -> platform.login(platform.resourceLink(sub, "c1")).withIdToken("").post(), 400, "id_token"),
                new Bad("not a JWT", sub -> platform.login(platform.resourceLink(sub, "c1")).withIdToken("not.a.jwt").post(), 400, "JWT"),
                new Bad("replayed: the same form again", sub -> {
                    var form = platform.login(platform.resourceLink(sub, "c1"));
                    form.post(); // good: the learner's one lab
                    return form.post();
                }, 400, "state", 1),
                new Bad("replayed: the token with another login's state", sub -> {
                    var first = platform.login(platform.resourceLink(sub, "c1"));
                    first.post();
                    var second = platform.login(platform.resourceLink(sub, "c1"));
                    return second.withIdToken(first.idToken()).post();
                }, 401, "nonce", 1));

        var failures = new ArrayList<String>();
        var tokens = new ArrayList<String>();
        for (Bad bad : bads) {
            String sub = "bad-" + UUID.randomUUID();
            Response r = bad.launch().apply(sub);
            String body = r.asString();
            if (r.statusCode() != bad.status() || !r.contentType().startsWith("text/html") || !body.contains(bad.says())) {
                failures.add(bad.name() + ": " + r.statusCode() + " " + r.contentType() + " " + body.replaceAll("\\s+", " "));
            }
            if (labsOf(sub).size() != bad.labs()) {
                failures.add(bad.name() + ": " + labsOf(sub).size() + " labs, expected " + bad.labs());
            }
            if (!labsOf("../" + sub).isEmpty()) {
                failures.add(bad.name() + ": a lab was created");
            }
        }
        assertThat(failures).isEmpty();
        // Refusals are logged with their reason, never with the token.
        String log = Files.readString(Path.of("target/test-service.log"));
        assertThat(log).contains("LTI launch refused (401)");
        for (String line : log.lines().filter(l -> l.contains("LTI")).toList()) {
            assertThat(line).doesNotContainPattern("eyJ[A-Za-z0-9_-]{20,}\\.");
        }
    }

    @Test
    void aPlatformThatRotatedItsKeyIsRefetchedAndOneThatIsDownIsA503() {
        registered();
        String sub = "learner-" + UUID.randomUUID();
        assertThat(platform.login(platform.resourceLink(sub, "c2")).post().statusCode()).isEqualTo(303);
        int fetches = platform.jwksFetches();
        platform.rotate(false);
        String next = "learner-" + UUID.randomUUID();
        assertThat(platform.login(platform.resourceLink(next, "c2")).post().statusCode()).isEqualTo(303);
        assertThat(platform.jwksFetches()).isEqualTo(fetches + 1);
        // The key is cached: the next launch fetches nothing.
        assertThat(platform.login(platform.resourceLink(next, "c2")).post().statusCode()).isEqualTo(303);
        assertThat(platform.jwksFetches()).isEqualTo(fetches + 1);

        try (var down = new FakePlatform()) {
            down.register("postgres-statefulset");
            down.replace("/jwks", exchange -> {
                try {
                    FakePlatform.respond(exchange, 503, "text/plain", "maintenance");
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            String learner = "learner-" + UUID.randomUUID();
            Response r = down.login(down.resourceLink(learner, "c3")).post();
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(r.header("Retry-After")).isNotNull();
            assertThat(r.asString()).contains("could not be fetched");
            assertThat(labsOf(learner)).isEmpty();
        }
    }

    @Test
    void aLoginForAnUnknownPlatformOrWithoutAHintIsRefused() {
        registered();
        RestAssured.given().redirects().follow(false).queryParam("iss", "https://unknown.example").queryParam("login_hint", "x")
                .get("/lti/login").then().statusCode(400).contentType("text/html").body(org.hamcrest.Matchers.containsString("no LTI registration"));
        RestAssured.given().redirects().follow(false).queryParam("iss", platform.issuer).get("/lti/login")
                .then().statusCode(400).body(org.hamcrest.Matchers.containsString("login_hint"));
        RestAssured.given().redirects().follow(false).queryParam("iss", platform.issuer).queryParam("login_hint", "x")
                .queryParam("client_id", platform.clientId).queryParam("lti_deployment_id", "not-ours").get("/lti/login")
                .then().statusCode(400).body(org.hamcrest.Matchers.containsString("deployment"));
        // GET works as POST does: a 302 to the platform with the parameters of §9.
        String location = RestAssured.given().redirects().follow(false).queryParam("iss", platform.issuer).queryParam("login_hint", "x")
                .queryParam("lti_message_hint", "m&1").get("/lti/login").then().statusCode(302).extract().header("Location");
        var q = FakePlatform.query(java.net.URI.create(location).getRawQuery());
        assertThat(q).containsEntry("login_hint", "x").containsEntry("lti_message_hint", "m&1").containsEntry("response_type", "id_token");
    }

    static Map<String, Object> with(Map<String, Object> claims, Object... pairs) {
        var changed = new LinkedHashMap<>(claims);
        for (int i = 0; i < pairs.length; i += 2) {
            changed.put((String) pairs[i], pairs[i + 1]);
        }
        return changed;
    }

    private static String row(String html, String learner) {
        int at = html.indexOf("data-learner=\"" + learner + "\"");
        assertThat(at).as("a row for " + learner).isNotNegative();
        return html.substring(at, html.indexOf("</tr>", at));
    }

    static List<Lab> labsOf(String learnerId) {
        return QuarkusTransaction.requiringNew().call(() -> Lab.<Lab>list("learnerId", learnerId));
    }

    static LtiLaunch launchOf(String sub) {
        return QuarkusTransaction.requiringNew().call(() -> LtiLaunch.<LtiLaunch>find("sub", sub).singleResult());
    }
}

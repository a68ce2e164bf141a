package dev.labprovisioner.lti;

import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.SignedJWT;
import dev.labprovisioner.Api;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** Deep Linking 2.0 (issue 11, item 4): the catalog, and the signed answer that puts the chosen lab into the course. */
@QuarkusTest
class LtiDeepLinkingTests {

    static FakePlatform platform;

    @BeforeAll
    static void platform() {
        platform = new FakePlatform();
    }

    @AfterAll
    static void stop() {
        platform.close();
    }

    @Test
    void theChosenLabGoesBackToTheLmsAsASignedResourceLinkWithItsLineItem() throws Exception {
        platform.ensureRegistered("postgres-statefulset");
        String returnUrl = platform.url("/deep-link-return?course=c9");
        String teacher = "teacher-" + UUID.randomUUID();
        var form = platform.login(platform.deepLinking(teacher, "c9", returnUrl, "opaque-data-42"));

        // The catalog: every template, each with a form to choose it; it works without JavaScript.
        Response catalog = form.post("/lti/deep-link");
        assertThat(catalog.statusCode()).isEqualTo(200);
        assertThat(catalog.contentType()).startsWith("text/html");
        String html = catalog.asString();
        List<String> templates = Api.asAdmin().get("/api/v1/templates").then().extract().jsonPath().getList("id");
        for (String t : templates) {
            assertThat(html).contains("name=\"template\" value=\"" + t + "\"");
        }
        assertThat(html).doesNotContain("<script");
        String request = FakePlatform.input(html, "request");

        Response answer = RestAssured.given().contentType("application/x-www-form-urlencoded").formParam("request", request)
                .formParam("template", "one-checkpoint").post("/lti/deep-link/choose");
        assertThat(answer.statusCode()).isEqualTo(200);
        String page = answer.asString();
        // It posts itself to the LMS with a script of the service's own (the CSP allows no inline script), and shows a
        // button for a browser without JavaScript. The CSP lets the form go to the LMS, and nowhere else.
        assertThat(page).contains("<script src=\"/lti-assets/autosubmit.js\"></script>").contains("data-autosubmit")
                .contains("<button type=\"submit\"");
        assertThat(Pattern.compile("<script>").matcher(page).find()).isFalse();
        assertThat(page).contains("action=\"" + returnUrl.replace("&", "&amp;") + "\"");
        assertThat(answer.header("Content-Security-Policy")).contains("form-action " + platform.issuer + ";").contains("script-src 'self'");
        RestAssured.given().get("/lti-assets/autosubmit.js").then().statusCode(200).body(org.hamcrest.Matchers.containsString("submit()"));

        // The JWT verifies against the tool's published keys, and says what the issue asks.
        SignedJWT jwt = SignedJWT.parse(FakePlatform.input(page, "JWT"));
        JWKSet jwks = JWKSet.parse(RestAssured.given().get("/lti/jwks").then().statusCode(200).extract().asString());
        RSAKey key = (RSAKey) jwks.getKeyByKeyId(jwt.getHeader().getKeyID());
        assertThat(key).as("the kid " + jwt.getHeader().getKeyID() + " in /lti/jwks").isNotNull();
        assertThat(jwt.verify(new RSASSAVerifier(key))).isTrue();
        var claims = jwt.getJWTClaimsSet();
        assertThat(claims.getIssuer()).isEqualTo(platform.clientId);
        assertThat(claims.getAudience()).containsExactly(platform.issuer);
        assertThat(claims.getExpirationTime().toInstant()).isAfter(Instant.now());
        assertThat(claims.getStringClaim("nonce")).isNotBlank();
        assertThat(claims.getStringClaim(LtiClaims.MESSAGE_TYPE)).isEqualTo("LtiDeepLinkingResponse");
        assertThat(claims.getStringClaim(LtiClaims.VERSION)).isEqualTo("1.3.0");
        assertThat(claims.getStringClaim(LtiClaims.DEPLOYMENT_ID)).isEqualTo(FakePlatform.DEPLOYMENT);
        assertThat(claims.getStringClaim(LtiClaims.DL_DATA)).isEqualTo("opaque-data-42");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> items = (List<Map<String, Object>>) claims.getClaim(LtiClaims.DL_CONTENT_ITEMS);
        assertThat(items).hasSize(1);
        Map<String, Object> item = items.get(0);
        var template = Api.asAdmin().get("/api/v1/templates").then().extract().jsonPath();
        String title = template.getString("find { it.id == 'one-checkpoint' }.title");
        int maxScore = template.<Integer>getList("find { it.id == 'one-checkpoint' }.checkpoints.points").stream().mapToInt(i -> i).sum();
        assertThat(item).containsEntry("type", "ltiResourceLink").containsEntry("title", title);
        assertThat(item.get("url").toString()).endsWith("/lti/launch");
        assertThat(item.get("custom")).isEqualTo(Map.of("template", "one-checkpoint"));
        assertThat(item.get("lineItem")).isEqualTo(Map.of("scoreMaximum", (long) maxScore, "label", title, "resourceId", "one-checkpoint"));
        assertThat(maxScore).isEqualTo(15);

        // The choice is good once: the same catalog again is refused, as is a template not offered.
        RestAssured.given().contentType("application/x-www-form-urlencoded").formParam("request", request)
                .formParam("template", "one-checkpoint").post("/lti/deep-link/choose").then().statusCode(400)
                .body(org.hamcrest.Matchers.containsString("already used"));
        String second = FakePlatform.input(platform.login(platform.deepLinking(teacher, "c9", returnUrl, null)).post().asString(), "request");
        RestAssured.given().contentType("application/x-www-form-urlencoded").formParam("request", second)
                .formParam("template", "no-such-lab").post("/lti/deep-link/choose").then().statusCode(400);
        // Without data in the request, none in the answer.
        Response without = RestAssured.given().contentType("application/x-www-form-urlencoded").formParam("request", second)
                .formParam("template", "postgres-statefulset").post("/lti/deep-link/choose");
        assertThat(without.statusCode()).isEqualTo(200);
        assertThat(SignedJWT.parse(FakePlatform.input(without.asString(), "JWT")).getJWTClaimsSet().getClaim(LtiClaims.DL_DATA)).isNull();

        // The resource link it made launches that lab: the custom parameter overrides the registration's template.
        String learner = "learner-" + UUID.randomUUID();
        var launch = platform.resourceLink(learner, "c9");
        launch.put(LtiClaims.CUSTOM, item.get("custom"));
        assertThat(platform.login(launch).post().statusCode()).isEqualTo(303);
        assertThat(LtiLaunchTests.labsOf(learner)).singleElement().extracting(l -> l.template).isEqualTo("one-checkpoint");
    }

    @Test
    void aDeepLinkingRequestWithoutAReturnUrlOrForOtherContentIsRefused() {
        platform.ensureRegistered("postgres-statefulset");
        var noReturn = platform.deepLinking("t-" + UUID.randomUUID(), "c8", "x", null);
        @SuppressWarnings("unchecked")
        var settings = (Map<String, Object>) noReturn.get(LtiClaims.DEEP_LINKING_SETTINGS);
        settings.remove("deep_link_return_url");
        platform.login(noReturn).post().then().statusCode(400).body(org.hamcrest.Matchers.containsString("deep_link_return_url"));

        // The signed response never travels in clear: plain http only to loopback (and only where allowed), as every platform URL.
        var cleartext = platform.deepLinking("t-" + UUID.randomUUID(), "c8", "http://lms.example.edu/deep-link-return", null);
        platform.login(cleartext).post().then().statusCode(400)
                .body(org.hamcrest.Matchers.containsString("deep_link_return_url"), org.hamcrest.Matchers.containsString("https"));

        var files = platform.deepLinking("t-" + UUID.randomUUID(), "c8", platform.url("/back"), null);
        @SuppressWarnings("unchecked")
        var fileSettings = (Map<String, Object>) files.get(LtiClaims.DEEP_LINKING_SETTINGS);
        fileSettings.put("accept_types", List.of("file", "html"));
        platform.login(files).post().then().statusCode(400).body(org.hamcrest.Matchers.containsString("accept_types"));
    }
}

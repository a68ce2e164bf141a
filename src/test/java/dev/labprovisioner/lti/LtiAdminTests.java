package dev.labprovisioner.lti;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import dev.labprovisioner.Api;
import dev.labprovisioner.lti.keys.ToolKeys;
import io.quarkus.arc.ClientProxy;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The registrations admin API and the tool's keys (issue 11, items 1 and 2). */
@QuarkusTest
class LtiAdminTests {

    @Inject
    ToolKeys toolKeys;

    private static Map<String, Object> registration() {
        var body = new HashMap<String, Object>();
        body.put("name", "Moodle");
        body.put("issuer", "https://moodle.example.edu");
        body.put("clientId", "client-" + UUID.randomUUID());
        body.put("deploymentIds", List.of("1", "2"));
        body.put("authLoginUrl", "https://moodle.example.edu/mod/lti/auth.php");
        body.put("accessTokenUrl", "https://moodle.example.edu/mod/lti/token.php");
        body.put("jwksUrl", "https://moodle.example.edu/mod/lti/certs.php");
        body.put("template", "postgres-statefulset");
        return body;
    }

    private static Map<String, Object> with(Object... pairs) {
        var body = registration();
        for (int i = 0; i < pairs.length; i += 2) {
            body.put((String) pairs[i], pairs[i + 1]);
        }
        return body;
    }

    @Test
    void aRegistrationAnswersWithTheToolsUrlsAndCanBeListedAndRemoved() {
        var body = registration();
        var created = Api.asAdmin().body(body).post("/api/v1/admin/lti/platforms").then().statusCode(201).extract().jsonPath();
        String id = created.getString("id");
        assertThat(created.getString("issuer")).isEqualTo("https://moodle.example.edu");
        assertThat(created.getList("deploymentIds")).containsExactly("1", "2");
        assertThat(created.getString("tool.loginUrl")).endsWith("/lti/login");
        assertThat(created.getString("tool.launchUrl")).endsWith("/lti/launch");
        assertThat(created.getString("tool.jwksUrl")).endsWith("/lti/jwks");
        assertThat(created.getString("tool.deepLinkUrl")).endsWith("/lti/deep-link");
        assertThat(created.getString("tool.loginUrl")).startsWith(created.getString("tool.launchUrl").replace("/lti/launch", ""));
        assertThat(Api.asAdmin().get("/api/v1/admin/lti/platforms").then().statusCode(200).extract().jsonPath().getList("id")).contains(id);
        // The same issuer and client id again: 409; another client id of the same LMS is another registration.
        Api.asAdmin().body(body).post("/api/v1/admin/lti/platforms").then().statusCode(409).contentType("application/problem+json");
        Api.asAdmin().delete("/api/v1/admin/lti/platforms/" + id).then().statusCode(204);
        Api.asAdmin().delete("/api/v1/admin/lti/platforms/" + id).then().statusCode(404).contentType("application/problem+json");
        assertThat(Api.asAdmin().get("/api/v1/admin/lti/platforms").then().extract().jsonPath().getList("id")).doesNotContain(id);
    }

    @Test
    void badRegistrationsAreProblemsAndStoreNothing() {
        int before = Api.asAdmin().get("/api/v1/admin/lti/platforms").then().extract().jsonPath().getList("id").size();
        record Case(Map<String, Object> body, int status, String says) {
        }
        var cases = List.of(
                new Case(with("issuer", null), 400, "'issuer' is required"),
                new Case(with("clientId", " "), 400, "'clientId' is required"),
                new Case(with("deploymentIds", List.of()), 400, "deploymentIds"),
                new Case(with("deploymentIds", List.of("a b")), 400, "spaces"),
                new Case(with("template", "no-such-lab"), 400, "no-such-lab"),
                new Case(with("template", null), 400, "'template' is required"),
                new Case(with("jwksUrl", "ftp://moodle.example.edu/certs"), 400, "jwksUrl"),
                new Case(with("authLoginUrl", "not a url"), 400, "authLoginUrl"),
                new Case(with("accessTokenUrl", "https://user:pw@moodle.example.edu/token"), 400, "accessTokenUrl"),
                new Case(with("jwksUrl", "http://moodle.example.edu/certs"), 422, "https"),
                new Case(with("name", "x".repeat(101)), 400, "'name'"));
        for (Case c : cases) {
            Api.asAdmin().body(c.body()).post("/api/v1/admin/lti/platforms").then().statusCode(c.status())
                    .contentType("application/problem+json").body("detail", org.hamcrest.Matchers.containsString(c.says()));
        }
        Api.asAdmin().body("{\"name\":").post("/api/v1/admin/lti/platforms").then().statusCode(400).contentType("application/problem+json");
        // Plain http to loopback is what the sandbox allows (a platform on this machine).
        String local = Api.asAdmin().body(with("jwksUrl", "http://127.0.0.1:9/jwks")).post("/api/v1/admin/lti/platforms")
                .then().statusCode(201).extract().path("id");
        Api.asAdmin().delete("/api/v1/admin/lti/platforms/" + local).then().statusCode(204);
        assertThat(Api.asAdmin().get("/api/v1/admin/lti/platforms").then().extract().jsonPath().getList("id")).hasSize(before);
    }

    @Test
    void theToolsPublicKeysArePublishedAndRotationKeepsTheOldOneForAWhile() throws Exception {
        JWKSet before = JWKSet.parse(RestAssured.given().get("/lti/jwks").then().statusCode(200).contentType("application/json").extract().asString());
        assertThat(before.getKeys()).isNotEmpty().allSatisfy(k -> {
            assertThat(k.getKeyID()).isNotBlank();
            assertThat(k.isPrivate()).isFalse();
            assertThat(k.getKeyType().getValue()).isEqualTo("RSA");
            assertThat(k.getAlgorithm().getName()).isEqualTo("RS256");
            assertThat(((RSAKey) k).size()).isEqualTo(2048);
        });
        String current = Api.asAdmin().get("/api/v1/admin/lti/keys").then().statusCode(200).extract().jsonPath()
                .getString("find { it.current }.kid");
        String privateBefore = privateExponent();

        var rotated = Api.asAdmin().post("/api/v1/admin/lti/keys/rotate").then().statusCode(200).extract();
        String newKid = rotated.jsonPath().getString("find { it.current }.kid");
        assertThat(newKid).isNotEqualTo(current);
        assertThat(rotated.jsonPath().getString("find { it.kid == '" + current + "' }.publishedUntil")).isNotNull();
        JWKSet after = JWKSet.parse(RestAssured.given().get("/lti/jwks").then().statusCode(200).extract().asString());
        assertThat(after.getKeys()).extracting(k -> k.getKeyID()).contains(current, newKid);
        assertThat(after.getKeys()).noneMatch(k -> k.isPrivate());
        String privateAfter = privateExponent();
        assertThat(privateAfter).isNotEqualTo(privateBefore);

        // A retired key whose overlap has ended leaves the set.
        QuarkusTransaction.requiringNew().run(() -> dev.labprovisioner.lti.keys.ToolKey.update(
                "publishUntil = ?1 where kid = ?2", java.time.Instant.now().minusSeconds(1), current));
        JWKSet later = JWKSet.parse(RestAssured.given().get("/lti/jwks").then().extract().asString());
        assertThat(later.getKeys()).extracting(k -> k.getKeyID()).contains(newKid).doesNotContain(current);

        // The private keys appear in no answer, no log line and no database column in clear.
        String answers = RestAssured.given().get("/lti/jwks").asString() + rotated.asString()
                + Api.asAdmin().get("/api/v1/admin/lti/keys").asString();
        String log = Files.readString(Path.of("target/test-service.log"));
        List<String> stored = QuarkusTransaction.requiringNew().call(() -> dev.labprovisioner.lti.keys.ToolKey
                .<dev.labprovisioner.lti.keys.ToolKey>listAll().stream().map(k -> k.privateKeyEncrypted + k.publicJwk).toList());
        for (String d : List.of(privateBefore, privateAfter)) {
            assertThat(answers).doesNotContain(d.substring(0, 40));
            assertThat(log).doesNotContain(d.substring(0, 40));
            assertThat(String.join("", stored)).doesNotContain(d.substring(0, 40));
        }
        assertThat(answers).doesNotContain("\"d\"").doesNotContain("\"p\"").doesNotContain("\"q\"");
        assertThat(log).doesNotContain("PRIVATE KEY");
    }

    /** The current private key's exponent (base64url), read from the bean itself: what must never leave it. */
    private String privateExponent() throws Exception {
        toolKeys.sign(new com.nimbusds.jwt.JWTClaimsSet.Builder().subject("probe").build()); // loads the current key
        Object bean = ClientProxy.unwrap(toolKeys);
        var field = ToolKeys.class.getDeclaredField("current");
        field.setAccessible(true);
        Object loaded = field.get(bean);
        var accessor = loaded.getClass().getDeclaredMethod("key");
        accessor.setAccessible(true);
        var key = (RSAKey) accessor.invoke(loaded);
        var d = key.getPrivateExponent().toString();
        assertThat(Base64.getUrlDecoder().decode(d)).hasSizeGreaterThan(200);
        return d;
    }
}

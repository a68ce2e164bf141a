package dev.labprovisioner.webhook;

import dev.labprovisioner.Api;
import dev.labprovisioner.problem.Problem;
import io.quarkus.test.junit.QuarkusMock;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static dev.labprovisioner.Api.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

/**
 * DNS rebinding: a destination subscribed while its name resolved to a public address, which resolves to 127.0.0.1 by
 * the time an event is sent, under real mode's address rules. The name is "localhost", so an attempt that went ahead
 * would really reach the receiver on 127.0.0.1; only the lookup the rules use is stubbed.
 */
@QuarkusTest
class WebhookRebindingTests {

    private static final String PUBLIC = "93.184.216.34";

    @Test
    void anAttemptToADestinationThatNowResolvesToLoopbackIsRefusedAndRecordedNotSent() {
        AtomicReference<String> localhostIs = new AtomicReference<>(PUBLIC);
        AddressLookup dns = host -> "localhost".equals(host)
                ? new InetAddress[]{InetAddress.getByName(localhostIs.get())} : AddressLookup.SYSTEM.addresses(host);
        // Real mode's rule on addresses (http stays allowed: the receiver has no certificate).
        QuarkusMock.installMockForType(new WebhookDestinations(true, false, dns), WebhookDestinations.class);

        try (var receiver = new Receiver()) {
            String lms = Api.lmsClient();
            String url = "http://localhost:" + receiver.url().replaceAll(".*:(\\d+)/hook$", "$1") + "/hook";
            String webhookId = as(lms).body(Map.of("url", url, "events", List.of("lab.ready"))).post("/api/v1/webhooks")
                    .then().statusCode(201).extract().path("id");

            // Subscribing to a name that resolves to loopback (now), or to a private address, is refused: 422, nothing made.
            localhostIs.set("127.0.0.1");
            int before = as(lms).get("/api/v1/webhooks").then().statusCode(200).extract().<List<Object>>path("$").size();
            for (String refused : List.of(url, "http://10.1.2.3/hook", "http://169.254.169.254/latest")) {
                as(lms).body(Map.of("url", refused)).post("/api/v1/webhooks").then().statusCode(422)
                        .contentType(Problem.MEDIA_TYPE);
            }
            assertThat(as(lms).get("/api/v1/webhooks").then().extract().<List<Object>>path("$")).hasSize(before);

            String lab = Api.createLab(lms, Api.unique("learner"), "webhooks").statusCode(202).extract().path("id");
            Api.awaitState(lms, lab, "READY");
            await().atMost(Duration.ofSeconds(20)).until(() -> !receiver.received().isEmpty() || as(lms).get("/api/v1/webhooks/" + webhookId
                    + "/deliveries").then().extract().<List<Object>>path("items[0].attempts").size() >= 3);
            assertThat(receiver.received()).as("what reached the receiver on 127.0.0.1").isEmpty();
            as(lms).get("/api/v1/webhooks/" + webhookId + "/deliveries").then().statusCode(200)
                    .body("total", equalTo(1))
                    .body("items[0].state", equalTo("PENDING"))
                    .body("items[0].lastError", startsWith("destination resolves to a private address (localhost is now 127.0.0.1)"))
                    .body("items[0].attempts.status", everyItem(nullValue()))
                    .body("items[0].attempts.error", everyItem(startsWith("destination resolves to a private address")));

            // Resolving to a public address again, the same delivery goes on its schedule (and, the name being
            // localhost, really arrives: the refusal above was the check's, not an unreachable receiver's).
            localhostIs.set(PUBLIC);
            await().atMost(Duration.ofSeconds(20)).until(() -> receiver.received().size() == 1);
            assertThat(receiver.received().get(0).json().getString("data.lab.id")).isEqualTo(lab);
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> as(lms).get("/api/v1/webhooks/" + webhookId + "/deliveries").then()
                    .body("items[0].state", equalTo("DELIVERED")));
            as(lms).delete("/api/v1/webhooks/" + webhookId).then().statusCode(204);
        }
    }
}

package dev.labprovisioner.outbox;

import dev.labprovisioner.Api;
import dev.labprovisioner.webhook.Receiver;
import dev.labprovisioner.webhook.WebhookEvents;
import io.agroal.api.AgroalDataSource;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static dev.labprovisioner.Api.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;

/** Events delivered longer ago than labs.outbox.keep-delivered (7 days) go, with their attempts; undelivered ones stay. */
@QuarkusTest
class OutboxPrunerTests {

    @Inject
    OutboxPruner pruner;

    @Inject
    Outbox outbox;

    @Inject
    AgroalDataSource dataSource;

    @Test
    void anEventDeliveredLongAgoIsForgottenAndOneNotDeliveredIsKeptHoweverOld() throws Exception {
        String lms = Api.lmsClient();
        try (var receiver = new Receiver()) {
            String up = subscribe(lms, receiver.url());
            String down = subscribe(lms, Receiver.url(Receiver.freePort()));
            String oldKey = UUID.randomUUID().toString();
            String recentKey = UUID.randomUUID().toString();
            String stuckKey = UUID.randomUUID().toString();
            String[] ids = new String[3];
            QuarkusTransaction.requiringNew().run(() -> {
                ids[0] = outbox.append("lab.ready", oldKey, "{\"delivered\":\"8 days ago\"}", WebhookEvents.CHANNEL, List.of(up));
                ids[1] = outbox.append("lab.ready", recentKey, "{\"delivered\":\"now\"}", WebhookEvents.CHANNEL, List.of(up));
                ids[2] = outbox.append("lab.ready", stuckKey, "{\"delivered\":false}", WebhookEvents.CHANNEL, List.of(down));
            });
            await().atMost(Duration.ofSeconds(20)).until(() -> receiver.received().size() == 2);
            await().atMost(Duration.ofSeconds(20)).until(() -> "DELIVERED".equals(as(lms).get("/api/v1/webhooks/" + up + "/deliveries")
                    .then().extract().path("items.find { it.webhookId == '" + ids[0] + "' }.state")));
            long oldDelivery = as(lms).get("/api/v1/webhooks/" + up + "/deliveries").then().statusCode(200)
                    .extract().<Number>path("items.find { it.webhookId == '" + ids[0] + "' }.id").longValue();
            // One was delivered 8 days ago; the stuck one was written 8 days ago and has been failing since.
            sql("UPDATE outbox_deliveries SET delivered_at = now() - interval '8 days' WHERE ordering_key = 'webhook:" + up + ":" + oldKey + "'");
            for (String key : List.of(oldKey, stuckKey)) {
                sql("UPDATE outbox_events SET created_at = now() - interval '8 days' WHERE ordering_key = '" + key + "'");
                sql("UPDATE outbox_deliveries SET created_at = now() - interval '8 days', queued_at = now() - interval '8 days'"
                        + " WHERE ordering_key LIKE 'webhook:%:" + key + "'");
            }
            assertThat(count("SELECT count(*) FROM outbox_attempts WHERE delivery_id = " + oldDelivery)).isEqualTo(1);

            pruner.prune();

            as(lms).get("/api/v1/webhooks/" + up + "/deliveries").then().statusCode(200)
                    .body("total", equalTo(1)).body("items.webhookId", contains(ids[1]));
            as(lms).post("/api/v1/webhooks/" + up + "/deliveries/" + oldDelivery + "/redeliver").then().statusCode(404)
                    .contentType("application/problem+json");
            as(lms).get("/api/v1/webhooks/" + down + "/deliveries").then().statusCode(200)
                    .body("total", equalTo(1)).body("items[0].webhookId", equalTo(ids[2])).body("items[0].state", equalTo("PENDING"));
            assertThat(count("SELECT count(*) FROM outbox_events WHERE message_id = '" + ids[0] + "'")).isZero();
            assertThat(count("SELECT count(*) FROM outbox_attempts WHERE delivery_id = " + oldDelivery)).isZero();
            assertThat(count("SELECT count(*) FROM outbox_events WHERE message_id IN ('" + ids[1] + "', '" + ids[2] + "')")).isEqualTo(2);
            as(lms).delete("/api/v1/webhooks/" + down).then().statusCode(204);
            as(lms).delete("/api/v1/webhooks/" + up).then().statusCode(204);
        }
    }

    private static String subscribe(String lms, String url) {
        return as(lms).body(Map.of("url", url)).post("/api/v1/webhooks").then().statusCode(201).extract().path("id");
    }

    private void sql(String update) throws Exception {
        try (Connection c = dataSource.getConnection(); var s = c.createStatement()) {
            assertThat(s.executeUpdate(update)).as(update).isPositive();
        }
    }

    private long count(String query) throws Exception {
        try (Connection c = dataSource.getConnection(); var s = c.createStatement(); var rs = s.executeQuery(query)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}

package dev.labprovisioner.reconcile;

import dev.labprovisioner.Api;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.labprovisioner.Api.createLab;
import static dev.labprovisioner.Api.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Provisioning gives way to API writes being answered, for a bounded time: it never stops for them. */
@QuarkusTest
class ReconcilerGivesWayTests {

    @Inject
    WaitingCallers callers;

    @ConfigProperty(name = "labs.reconciler.give-way")
    Duration giveWay;

    @Test
    void aLabIsStillProvisionedWhileAnotherCallersWriteHangsAndTheWaitShowsInTheMetrics() throws Exception {
        String lms = Api.lmsClient();
        double waitedBefore = gaveWaySeconds();
        // An LMS that sent a create's headers and only the start of its body: a write being answered for as long
        // as it keeps the connection open.
        try (var hanging = new Socket("localhost", RestAssured.port)) {
            OutputStream out = hanging.getOutputStream();
            out.write(("POST /api/v1/labs HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + lms
                    + "\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"learnerId\":").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            await().atMost(Duration.ofSeconds(5)).until(() -> callers.writes() >= 1);

            String id = createLab(lms, unique("learner"), null).statusCode(202).extract().path("id");

            Api.awaitState(lms, id, "READY", Duration.ofSeconds(30));
            // Each of its passes waited for the hanging write, up to the bound, then went on.
            assertThat(gaveWaySeconds() - waitedBefore).isGreaterThanOrEqualTo(giveWay.toMillis() / 1000.0 * 0.9);
            assertThat(callers.writes()).isGreaterThanOrEqualTo(1);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> callers.writes() == 0);
    }

    /** What an operator reads at /q/metrics: the seconds reconcile passes spent giving way so far. */
    private static double gaveWaySeconds() {
        String metrics = Api.asAdmin().accept("text/plain").get("/q/metrics").then().statusCode(200).extract().asString();
        Matcher m = Pattern.compile("(?m)^labs_reconciler_gave_way_seconds_sum(\\{[^}]*})? ([0-9.eE+-]+)$").matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(2)) : 0;
    }
}
